"""Page limit: tokens against the budget, and the real page count of the exported DOCX.

The plan is exported with the product's own DOCX exporter (assistant/export_docx.py) and
rendered to PDF by LibreOffice. The body (title, theme headings, paragraphs) is what the
page limit means; the references list is the evidence annex and is measured apart. The
last page is counted by how far down it is filled, so the measured tokens-per-page can be
set against the template's figure (tokens_per_page), whose error is reported.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.export_docx import libreoffice_binary, plan_docx, render_pdf



@dataclass
class PageScores:
    tokens: int
    budget: int
    page_limit: int
    template_tokens_per_page: int
    estimated_pages: float  # tokens / the template's tokens_per_page
    rendered_pages: int | None = None  # body pages as LibreOffice lays them out
    rendered_fraction: float | None = None  # the same, with the last page counted by how full it is
    pages_with_references: int | None = None
    measured_tokens_per_page: float | None = None
    tokens_per_page_error: float | None = None  # (template - measured) / measured
    page_size: str = ""
    renderer: str = ""  # "libreoffice" or why the page count is missing

    @property
    def within_budget(self) -> bool:
        return self.tokens <= self.budget

    def to_dict(self) -> dict:
        return {**asdict(self), "within_budget": self.within_budget}


def body_only(docx_path: Path, out_path: Path) -> Path:
    """A copy of the exported plan without its references list (the heading and everything after it)."""
    from docx import Document

    doc = Document(str(docx_path))
    body = doc.element.body
    cut = False
    for paragraph in list(doc.paragraphs):
        if paragraph.style.name.startswith("Heading") and paragraph.text.strip() == "References":
            cut = True
        if cut:
            body.remove(paragraph._element)
    doc.save(str(out_path))
    return out_path


def last_page_fill(pdf_path: Path, top_margin: float, bottom_margin: float) -> tuple[int, float]:
    """(pages, fraction of the last page's text area that is used), from the lowest line of text on it."""
    from pypdf import PdfReader

    pages = PdfReader(str(pdf_path)).pages
    last = pages[-1]
    height = float(last.mediabox.height)
    lowest = [height]

    def visit(text, cm, tm, font, size):
        if text.strip():
            # Text space to page space: tm then the current transformation matrix.
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            lowest[0] = min(lowest[0], y - float(size or 0) * 0.25)

    last.extract_text(visitor_text=visit)
    area = height - top_margin - bottom_margin
    used = (height - top_margin) - lowest[0]
    return len(pages), max(0.0, min(1.0, used / area))


def page_scores(plan, template, render: bool = True) -> PageScores:
    tpp = template.tokens_per_page
    scores = PageScores(plan.total_tokens, template.budget_tokens, template.page_limit, tpp, round(plan.total_tokens / tpp, 2))
    if not render:
        scores.renderer = "not rendered (--no-render)"
        return scores
    if libreoffice_binary() is None:
        scores.renderer = "LibreOffice not installed (apt-get install -y libreoffice-writer-nogui)"
        return scores
    from docx import Document

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        full = plan_docx(plan, template, out / "plan.docx")
        body = body_only(full, out / "plan-body.docx")
        section = Document(str(body)).sections[0]
        scores.page_size = f"{section.page_width.mm:.0f} x {section.page_height.mm:.0f} mm"
        body_pdf = render_pdf(body, out)
        full_pdf = render_pdf(full, out)
        if body_pdf is None:
            scores.renderer = "LibreOffice failed to render the plan"
            return scores
        pages, fill = last_page_fill(body_pdf, section.top_margin.pt, section.bottom_margin.pt)
        scores.rendered_pages = pages
        scores.rendered_fraction = round(pages - 1 + fill, 2)
        if full_pdf is not None:
            from pypdf import PdfReader

            scores.pages_with_references = len(PdfReader(str(full_pdf)).pages)
        scores.renderer = "libreoffice"
    if scores.rendered_fraction:
        measured = plan.total_tokens / scores.rendered_fraction
        scores.measured_tokens_per_page = round(measured, 1)
        scores.tokens_per_page_error = round((tpp - measured) / measured, 3)
    return scores
