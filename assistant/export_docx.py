"""Export stage, Word: the plan as a DOCX officers can take to members for sign-off.

Laid out like a council's own report: A4, Arial, the council's name and the plan's
title in the header, version, date and "Page n of m" in the footer, and the document
properties (title, author, dates) set. Then the title, one heading per theme, the
paragraphs with plan-wide citation markers, and the compact references list (one line
each; an annex after a page break when the template keeps it outside the page limit).
Evidence gaps are working notes for the officer, not part of the document.

An export that is not the finished plan (see assistant/release.py) says so on every
page (DRAFT in the header), opens with a cover sheet listing what is outstanding,
and carries each flagged or rejected sentence highlighted, with its reason as a Word
comment. The page limit is checked on the document as LibreOffice renders it
(assistant/page_check.py), cover sheet and annex apart.
"""

from __future__ import annotations

import math
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from assistant.budget import plan_pages
from assistant.page_check import ANNEX_HEADING, COVER_END, PageCheck, layout_of, libreoffice_binary, render_pdf  # noqa: F401
from assistant.records import Plan
from assistant.references import number_citations, reference_text
from assistant.release import Release, release_state
from assistant.render import paragraph_runs, sentence_with_markers
from assistant.templates import PlanTemplate

COMMENT_AUTHOR = "Council Drafting Assistant"
DRAFT_RED = RGBColor(0xB9, 0x1C, 0x1C)
# Marked sentences listed on the cover sheet; the rest are in the comments.
COVER_SENTENCES = 10


def _field(paragraph, instruction: str, size: Pt) -> None:
    """A Word field (PAGE, NUMPAGES), one run per part as Word writes it; LibreOffice and Word fill it in."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        run.font.size = size  # the properties first: the schema wants <w:rPr> before the field parts
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _header_and_footer(doc, plan: Plan, release: Release) -> None:
    """DRAFT (when it is one) and the council and title at the head of every page; version, date and page below.
    Short lines without tab stops, so header and footer stay inside the margins and never push the text down."""
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    if release.is_draft:
        mark = header.add_run("DRAFT \u2014 not for publication")
        mark.bold, mark.font.color.rgb = True, DRAFT_RED
        header = section.header.add_paragraph()
    header.add_run(f"{release.council} \u2014 {plan.title}")
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{release.version_label()} \u00b7 {release.date_label()} \u00b7 Page ")
    _field(footer, "PAGE", Pt(9))
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", Pt(9))
    for paragraph in (*section.header.paragraphs, footer):
        for run in paragraph.runs:
            run.font.size = Pt(9)


def _properties(doc, plan: Plan, template: PlanTemplate, release: Release) -> None:
    props = doc.core_properties

    def short(text: str) -> str:
        return text if len(text) <= 255 else text[:254] + "\u2026"  # the format's limit for a text property

    props.title = short(plan.title)
    props.subject = short(template.title)
    props.author = props.last_modified_by = short(release.author or release.council)
    props.created = props.modified = release.issued.replace(tzinfo=None)  # python-docx's own template says 2013
    props.revision = max(1, release.version)
    props.category = "Draft" if release.is_draft else "Final"
    props.keywords = short(f"{release.council}; {template.title}")
    props.comments = short(" ".join(release.summary_lines()) or "Every section accepted; nothing flagged or rejected.")


def _cover(doc, release: Release) -> None:
    doc.add_heading("DRAFT \u2014 not the final plan", level=1)
    doc.add_paragraph(
        f"{release.council}, {release.version_label()}, {release.date_label()}. This export is a draft because:")
    for line in release.summary_lines():
        doc.add_paragraph(line, style="List Bullet")
    marked = release.flagged + release.rejected
    for m in marked[:COVER_SENTENCES]:
        doc.add_paragraph(f"{m.section}, sentence {m.index}: \u201c{m.text[:110]}\u201d \u2014 {'; '.join(m.reasons)}",
                          style="List Bullet 2")
    if len(marked) > COVER_SENTENCES:
        doc.add_paragraph(f"\u2026 and {len(marked) - COVER_SENTENCES} more, each shown as a comment in the text.")
    last = doc.add_paragraph(COVER_END)
    last.runs[0].add_break(WD_BREAK.PAGE)


def _section_paragraphs(doc, section, numbers: dict[int, int], marks: dict) -> None:
    index = {id(s): i for i, s in enumerate(section.sentences, 1)}

    def add(p, sentence, lead: str) -> None:
        run = p.add_run(lead + sentence_with_markers(sentence, numbers))
        reasons = marks.get((section.theme_id, index[id(sentence)]))
        if reasons:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            doc.add_comment(run, text="; ".join(dict.fromkeys(reasons)), author=COMMENT_AUTHOR, initials="CDA")

    for paragraph in section.paragraphs():
        for is_list, run in paragraph_runs(paragraph):
            if is_list:
                for sentence in run:  # a list item is a paragraph of its own, in Word's bullet style
                    add(doc.add_paragraph(style="List Bullet"), sentence, "")
                continue
            p = doc.add_paragraph()
            for position, sentence in enumerate(run):
                add(p, sentence, "" if position == 0 else " ")


def _references(doc, plan: Plan, template: PlanTemplate, references) -> None:
    if not references:
        return
    if template.references.counts_towards_limit:
        doc.add_heading("References", level=1)
    else:
        doc.add_page_break()
        doc.add_heading(f"{ANNEX_HEADING} (not counted in the {template.page_limit}-page limit)", level=1)
    for i, evidence in enumerate(references, 1):
        p = doc.add_paragraph(reference_text(evidence, i))
        p.paragraph_format.space_after = p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        p.runs[0].font.size = Pt(9)


def plan_docx(plan: Plan, template: PlanTemplate, path: Path, release: Release | None = None) -> Path:
    """Write the plan as a DOCX. Without a `release` nothing is known to be accepted, so it is a draft."""
    release = release or release_state(plan, template)
    numbered = number_citations(plan)
    doc = Document()
    for section in doc.sections:
        # python-docx starts from US Letter; a council's plan is printed on A4 with 2.54 cm margins.
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.54)
    style = doc.styles["Normal"]
    style.font.name = "Arial"  # the house style of most council reports
    style.font.size = Pt(11)
    _properties(doc, plan, template, release)
    _header_and_footer(doc, plan, release)
    if release.is_draft:
        _cover(doc, release)
    doc.add_heading(plan.title, level=0)
    marks = release.marks()
    for section in plan.sections:
        doc.add_heading(template.theme(section.theme_id).heading, level=1)
        _section_paragraphs(doc, section, numbered.numbers[section.theme_id], marks)
    _references(doc, plan, template, numbered.references)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


def check_pages(docx_path: Path, plan: Plan, template: PlanTemplate) -> PageCheck:
    """The plan's pages as LibreOffice renders the DOCX (cover sheet and annex apart), else the budget's estimate."""
    budget = plan_pages(plan, template)
    layout = layout_of(docx_path) if libreoffice_binary() else None
    if layout is not None:
        return PageCheck(layout.plan_fraction, template.page_limit, "libreoffice", layout.plan_pages,
                         budget.references_note(), layout.cover_pages, round(budget.pages, 2))
    return PageCheck(round(budget.pages, 2), template.page_limit, "estimate", math.ceil(round(budget.pages, 2)),
                     budget.references_note())
