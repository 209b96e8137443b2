"""HTML for the web app's panels, from the workspace's plain types.

Every piece of text that came from a document, a model or a user goes through
`html.escape` (HTML panels) or `markdown_text` (Markdown panels) here, so a
passage holding `<script>` or `![logo](http://…)` shows as text and neither
runs nor fetches anything. Citation markers are links the page script (`layout.PAGE_JS`) turns into
"show this passage" clicks.
"""

from __future__ import annotations

import json
import re
from html import escape

from assistant.records import Section
from assistant.render import paragraph_runs
from assistant.review import ReviewRow, highlight
from assistant.workspace.service import PlanOverview, SectionRecord
from assistant.workspace.versions import SectionVersion

STATUS_MARK = {"empty": "\u25cb empty", "drafted": "\u25d0 drafted", "accepted": "\u25cf accepted"}

_JSON_TEXT = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)"')


def readable_stream(partial: str) -> str:
    """What a model has written so far, for people: the sentences out of a JSON reply, or the prose as it is."""
    if not partial.lstrip().startswith("{"):
        return partial
    sentences = []
    for raw in _JSON_TEXT.findall(partial):
        try:
            sentences.append(json.loads(f'"{raw}"'))
        except ValueError:
            sentences.append(raw)
    return " ".join(sentences) + " \u2026"


# Every ASCII punctuation mark may be backslash-escaped in CommonMark, and an escaped mark is
# always shown as itself: links, images, inline HTML, code, headings, tables, math all need one.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# In chat replies the app's own emphasis and bullets stay: `*`, `_` and `-` make <em>, <strong>
# and list items, never an element that links or fetches.
_CHAT_PUNCTUATION = re.compile(r"([!-),./:-@\[-\^`{-~])")


def markdown_text(text: str) -> str:
    """`text` for a Markdown component, shown exactly as written: no markup in it is interpreted."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def chat_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Chat turns for gr.Chatbot, their markup neutralised.

    The Chatbot renders markdown and HTML, and its sanitiser only strips what runs (scripts,
    `onerror`): a document's `<img src=...>` or `![logo](http://…)` would still become an image
    that every reader's browser fetches. The replies quote document sentences, so every mark that
    could make a link, image, HTML element, code or math is escaped; the replies' own bold and
    bullets still render.
    """
    return [{**m, "content": _CHAT_PUNCTUATION.sub(r"\\\1", m["content"])} for m in messages]


# The first screen, for an officer with no plan yet: what to do, in the order to do it.
WELCOME = """### Start here
1. **Create a plan**: type its title in *New plan title* (for example \u201cProductivity Plan 2024\u201d) and press \
**Create plan**.
2. **Check the council's documents** in the **Corpus** tab: the draft quotes and cites only what is there. Add your \
Council Plan, budget strategy, committee reports and minutes if they are missing.
3. **Draft each section** in the **Draft** tab: choose a section, press **Draft this section**, read each sentence beside \
the passage it cites, change what needs changing, then **Accept and lock** it.
4. **Export** the plan to Word from the **Export** tab. The page budget (the panel on the right) shows how much of the \
page limit each section uses."""


def section_state_html(record: SectionRecord | None) -> str:
    """Where the section stands, above its text; a locked one says so plainly, and how to change it."""
    if record is None:
        return ""
    if record.locked:
        return ("<div class='state locked' role='status'>\U0001f512 <strong>Locked \u2014 reopen to change.</strong> "
                f"\u201c{escape(record.title)}\u201d is accepted: drafting, the chat and editing are off until you press "
                "<strong>Reopen</strong>.</div>")
    return f"<div class='state' role='status'><strong>Status:</strong> {STATUS_MARK[record.status]}</div>"


def theme_label(record: SectionRecord, overview: PlanOverview) -> str:
    budget = next(t for t in overview.themes if t.theme_id == record.theme_id)
    share = budget.allowance / overview.budget_tokens if overview.budget_tokens else 0
    return f"{record.title} \u2014 {STATUS_MARK[record.status]} \u00b7 {budget.tokens}/{budget.allowance} tokens ({share:.0%} of the budget)"


def budget_html(overview: PlanOverview) -> str:
    rows = []
    for t in overview.themes:
        width = min(100, round(100 * t.tokens / t.allowance)) if t.allowance else 0
        over = " over" if t.over else ""
        rows.append(
            f"<tr class='{over.strip()}'><td>{escape(t.title)}</td><td>{t.tokens} / {t.allowance}</td>"
            f"<td>{t.pages:.2f} p</td><td><div class='bar{over}'><div class='fill' style='width:{width}%'></div></div></td></tr>"
        )
    total_over = " over" if overview.over else ""
    verdict = "OVER the limit" if overview.over else "within the limit"
    return (
        "<div class='budget'><table><tr><th>Section</th><th>Tokens</th><th>Pages</th><th></th></tr>"
        + "".join(rows)
        + f"<tr class='total{total_over}'><td>Total</td><td>{overview.total_tokens} / {overview.budget_tokens}</td>"
        f"<td>{overview.pages:.2f} of {overview.page_limit}</td><td>{verdict}</td></tr></table>"
        # Pages are what the Word export prints; say where the references list is and what it costs.
        f"<p class='references-note'>Pages as the Word export prints them. References: {escape(overview.references)}.</p></div>"
    )


def _passage_id(theme_id: str, number: int) -> str:
    return f"ev-{escape(theme_id)}-{number}"


def section_html(section: Section | None) -> str:
    """The section's sentences with their citation links; a flagged sentence says why beside it, in words
    (a reason only in a tooltip is lost to touch screens, and to anyone who does not think to hover)."""
    if section is None:
        return "<p><em>Not drafted yet. Press \u201cDraft this section\u201d or type in the chat.</em></p>"
    index = {id(s): i for i, s in enumerate(section.sentences)}
    paragraphs = []

    def sentence_html(s) -> str:
        i = index[id(s)]
        cites = " ".join(
            f"<a class='cite' href='#' data-target='{_passage_id(section.theme_id, n)}' data-sentence='{i}'>[{n}]</a>"
            for n in s.citations
        )
        css = "sentence flagged" if s.flags else "sentence"
        reason = f" <span class='flag-reason'>\u26a0 {escape('; '.join(s.flags))}</span>" if s.flags else ""
        return f"<span class='{css}'>{escape(s.text)} {cites}{reason}</span>"

    for para in section.paragraphs():
        for is_list, run in paragraph_runs(para):
            if is_list:
                paragraphs.append("<ul>" + "".join(f"<li>{sentence_html(s)}</li>" for s in run) + "</ul>")
            else:
                paragraphs.append("<p>" + " ".join(sentence_html(s) for s in run) + "</p>")
    return "<div class='section-text'>" + ("".join(paragraphs) or "<p><em>No sentence survived verification.</em></p>") + "</div>"


def evidence_html(section: Section | None) -> str:
    """Every passage the section was drafted from, the words the section took from it marked as the Review
    tab marks them (`review.highlight`): all citing sentences' words at first, one sentence's when its
    citation is clicked (the page script swaps the `.words` shown)."""
    if section is None or not section.evidence:
        return "<p><em>The passages behind the section appear here.</em></p>"
    items = []
    for e in section.evidence:
        citing = [(i, s.text) for i, s in enumerate(section.sentences) if e.number in s.citations]
        mark = "cited" if citing else "not cited"
        words = [f"<div class='words shown' data-for='all'>{_highlighted(highlight(e.text, ' '.join(t for _, t in citing)))}</div>"]
        words += [f"<div class='words' data-for='{i}'>{_highlighted(highlight(e.text, text))}</div>" for i, text in citing]
        items.append(
            f"<div class='passage' id='{_passage_id(section.theme_id, e.number)}'><strong>[{e.number}]</strong> "
            f"<span class='where'>{escape(e.location())} \u00b7 {mark}</span>{''.join(words)}</div>"
        )
    return "".join(items)


def gaps_markdown(section: Section | None) -> str:
    if section is None or not section.gaps:
        return ""
    lines = ["**Evidence gaps**: nothing in the corpus answers these. Upload a document that does, or write them yourself:"]
    return "\n".join(lines + [f"- {markdown_text(g.question)}" + (f"<br><small>Why: {markdown_text(g.reason)}</small>" if g.reason else "")
                               for g in section.gaps])


def notes_markdown(section: Section | None) -> str:
    if section is None or not section.notes:
        return ""
    return "**What verification changed**\n" + "\n".join(f"- {markdown_text(n)}" for n in section.notes)


def _highlighted(runs: list[tuple[str, bool]]) -> str:
    return "".join(f"<mark>{escape(t)}</mark>" if hit else escape(t) for t, hit in runs)


def review_html(rows: list[ReviewRow]) -> str:
    if not rows:
        return "<p><em>No sentences to review.</em></p>"
    out = ["<div class='review'><table><tr><th>#</th><th>Sentence</th><th>Cited passage (matching words marked)</th>"
           "<th>Support</th><th>Flags</th><th>Decision</th></tr>"]
    for row in rows:
        passages = "".join(
            f"<div><strong>[{p.number}]</strong> <em>{escape(p.location)}</em><br>{_highlighted(p.runs)}</div>" for p in row.passages
        ) or "<span class='flag'>no cited passage</span>"
        flags = ", ".join(row.flags)
        if row.missing_figures:
            flags += f" ({', '.join(row.missing_figures)})"
        support = "" if row.support is None else f"{row.support:.2f}"
        decision = escape(row.decision) + (f"<br><small>{escape(row.comment)} \u2014 {escape(row.reviewer)}</small>" if row.comment else "")
        out.append(
            f"<tr><td>{escape(row.section_title)} {row.index}</td><td>{escape(row.text)} "
            f"{' '.join(f'[{n}]' for n in row.citations)}</td><td>{passages}</td><td>{support}</td>"
            f"<td class='flag'>{escape(flags)}</td><td>{decision}</td></tr>"
        )
    return "".join(out) + "</table></div>"


def review_choice(row: ReviewRow) -> tuple[str, str]:
    flag = " \u26a0" if row.flagged else ""
    return (f"{row.section_title} {row.index}{flag}: {row.text[:70]}", row.key)


def export_status(release) -> str:
    """What the export just made is: the plan, or a DRAFT and why (assistant/release.py)."""
    if not release.is_draft:
        return "**Final**: every section is accepted and nothing is flagged or rejected."
    return "**DRAFT** (marked on every page, with a summary on page 1): " + " ".join(release.summary_lines())


def version_choices(versions: list[SectionVersion]) -> list[tuple[str, int]]:
    """The undo list: each version with who made it, how and when; the newest is the text shown now."""
    return [(v.label() + (" \u00b7 current" if i == 0 else ""), v.number) for i, v in enumerate(versions)]


def reviewer_markdown(user: str) -> str:
    return f"Your decisions are saved under your sign-in name, **{markdown_text(user)}**."
