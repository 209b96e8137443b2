"""How the workspace page looks and behaves in the browser: its stylesheet and its one page script.

The layout follows what officers know from Kotaemon and Redbox: the text being written on the
left, its sources on the right, beside it and in view while the officer reads (the evidence
column is `position: sticky` and scrolls inside itself). The budget sidebar opens on wide
screens only: at 768 px and under Gradio draws an open sidebar over the whole page, so a phone
would open on the budget instead of the plan. Keyboard focus is drawn GOV.UK's way (yellow with
a dark edge), which Gradio's own styles otherwise hide on buttons and radios.
"""

from __future__ import annotations

# Gradio's sidebar covers the page (100vw) at this width and under.
NARROW_PX = 768

PANEL_CSS = """
.budget table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.budget td, .budget th { padding: 2px 6px; text-align: left; }
.budget td:nth-child(2), .budget td:nth-child(3), .budget th { white-space: nowrap; }
.budget .bar { background: #e5e7eb; height: 10px; border-radius: 3px; min-width: 40px; }
.budget .fill { background: #1d70b8; height: 10px; border-radius: 3px; }
.budget .over, .budget .over .fill { color: #b91c1c; background: #d4351c; }
.budget .total.over { font-weight: bold; }
.section-text p { line-height: 1.5; }
.section-text .flagged { background: #fff4e5; border-bottom: 2px dotted #d4351c; }
.section-text .flag-reason { color: #b91c1c; font-size: 0.85em; font-weight: 600; white-space: normal; }
.section-text .reading { background: #fffbe6; outline: 2px solid #ffdd00; }
a.cite { text-decoration: none; font-weight: 600; color: #1d70b8; cursor: pointer; }
.passage { border: 1px solid #d1d5db; border-radius: 4px; padding: 6px; margin: 4px 0; font-size: 0.9em; }
.passage.open { outline: 3px solid #ffdd00; background: #fffbe6; }
.passage .where { color: #505a5f; font-size: 0.85em; }
.passage .words { display: none; }
.passage .words.shown { display: block; }
.passage mark, .review mark { background: #ffdd00; color: inherit; }
.review table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
.review td, .review th { border: 1px solid #d1d5db; padding: 4px; vertical-align: top; }
.review .flag { color: #b91c1c; font-weight: 600; }
"""

LAYOUT_CSS = f"""
/* The section and its evidence side by side; the evidence stays in view while the page scrolls. */
#draft-columns {{ align-items: flex-start; }}
/* Gradio clips its container with overflow: hidden, which makes it the scroll box a sticky element sticks
   to, one that never scrolls: clip the same overflow without making a scroll box. */
.gradio-container {{ overflow: clip !important; }}
#evidence-column {{ position: sticky; top: 8px; align-self: flex-start; max-height: calc(100vh - 16px); overflow-y: auto; }}
#section-state .locked {{ border-left: 6px solid #1d70b8; background: #eef5fb; padding: 6px 10px; }}
#section-state .locked strong {{ color: #0b0c0c; }}
#confirm-text, #confirm-delete-text {{ padding: 6px 10px; }}
#welcome {{ border-left: 6px solid #1d70b8; padding: 4px 14px; background: #f3f8fc; }}
/* Long document text and tables wrap or scroll inside their own panel, never the page. */
#section, #evidence, #review {{ overflow-wrap: break-word; }}
#review {{ overflow-x: auto; }}
@media (max-width: {NARROW_PX}px) {{
  #evidence-column {{ position: static; max-height: none; overflow: visible; }}
}}
/* Where the keyboard is, drawn on every control: Gradio draws none on buttons, tabs and radios. At once:
   Gradio's transitions would otherwise fade the ring in from the element's own colour. */
*:focus-visible {{ outline: 3px solid #ffdd00 !important; outline-offset: 0 !important;
                   box-shadow: 0 0 0 5px #0b0c0c !important; transition: none !important; }}
"""

PAGE_CSS = PANEL_CSS + LAYOUT_CSS

# Clicking a citation marker opens (outlines and scrolls to) its passage in the evidence panel,
# with the words it shares with the citing sentence marked, and marks that sentence as the one
# being read. On wide screens the budget sidebar is opened once it is on the page.
PAGE_JS = f"""
() => {{
  document.addEventListener('click', (event) => {{
    const link = event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    document.querySelectorAll('.passage.open').forEach((p) => p.classList.remove('open'));
    document.querySelectorAll('.section-text .reading').forEach((s) => s.classList.remove('reading'));
    const sentence = link.closest('.sentence');
    if (sentence) sentence.classList.add('reading');
    const passage = document.getElementById(link.dataset.target);
    if (!passage) return;
    passage.classList.add('open');
    const mine = passage.querySelector(`.words[data-for="${{link.dataset.sentence}}"]`);
    passage.querySelectorAll('.words').forEach((w) => w.classList.toggle('shown', mine ? w === mine : w.dataset.for === 'all'));
    passage.scrollIntoView({{block: 'nearest'}});
  }});
  const wide = window.matchMedia('(min-width: {NARROW_PX + 1}px)');
  let tries = 0;
  const opener = setInterval(() => {{
    const sidebar = document.getElementById('budget-sidebar');
    if (!sidebar && ++tries < 200) return;
    clearInterval(opener);
    if (sidebar && wide.matches && !sidebar.classList.contains('open')) sidebar.querySelector('.toggle-button')?.click();
  }}, 100);
}}
"""
