"""Page limit: the page meter against the real page count of the exported DOCX.

The plan is exported with the product's own DOCX exporter (assistant/export_docx.py) and
rendered to PDF by LibreOffice; the export's page check (assistant/page_check.py) counts
the plan's pages (cover sheet of a draft and a references annex apart), the last by how
far down it is filled. The meter's estimate (assistant/budget.py, the figure the web
sidebar and `assistant draft` show) is set against it: `meter_error` is estimate minus
rendered, which the product promises within a quarter page.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.budget import plan_pages
from assistant.export_docx import check_pages, libreoffice_binary, plan_docx

METER_TOLERANCE = 0.25  # pages


@dataclass
class PageScores:
    tokens: int
    budget: int
    page_limit: int
    template_tokens_per_page: int
    estimated_pages: float  # the meter's figure: what the export prints, by the layout model
    references: str = ""  # where the references are and what they cost, as the meter says it
    rendered_pages: int | None = None  # the plan's pages as LibreOffice lays them out
    rendered_fraction: float | None = None  # the same, with the last page counted by how full it is
    meter_error: float | None = None  # estimated_pages - rendered_fraction
    pages_with_references: int | None = None  # kept for older reports: the plan's pages, references as placed
    measured_tokens_per_page: float | None = None
    tokens_per_page_error: float | None = None  # (template - measured) / measured
    page_size: str = ""
    renderer: str = ""  # "libreoffice" or why the page count is missing

    @property
    def within_budget(self) -> bool:
        return self.tokens <= self.budget

    @property
    def meter_agrees(self) -> bool | None:
        return None if self.meter_error is None else abs(self.meter_error) <= METER_TOLERANCE

    def to_dict(self) -> dict:
        return {**asdict(self), "within_budget": self.within_budget, "meter_agrees": self.meter_agrees}


def body_only(docx_path: Path, out_path: Path) -> Path:
    """A copy of the exported plan without its references list (the heading and everything after it)."""
    from docx import Document

    doc = Document(str(docx_path))
    body = doc.element.body
    cut = False
    for paragraph in list(doc.paragraphs):
        if paragraph.style.name.startswith("Heading") and paragraph.text.strip().startswith(("References", "Annex")):
            cut = True
        if cut:
            body.remove(paragraph._element)
    doc.save(str(out_path))
    return out_path


def page_scores(plan, template, render: bool = True) -> PageScores:
    tpp = template.tokens_per_page
    budget = plan_pages(plan, template)
    scores = PageScores(budget.counted_tokens, template.budget_tokens, template.page_limit, tpp, round(budget.pages, 2),
                        budget.references_note())
    if not render:
        scores.renderer = "not rendered (--no-render)"
        return scores
    if libreoffice_binary() is None:
        scores.renderer = "LibreOffice not installed (apt-get install -y libreoffice-writer-nogui)"
        return scores
    from docx import Document

    with tempfile.TemporaryDirectory() as tmp:
        path = plan_docx(plan, template, Path(tmp) / "plan.docx")
        section = Document(str(path)).sections[0]
        scores.page_size = f"{section.page_width.mm:.0f} x {section.page_height.mm:.0f} mm"
        check = check_pages(path, plan, template)
    if check.method != "libreoffice":
        scores.renderer = "LibreOffice failed to render the plan"
        return scores
    scores.renderer = "libreoffice"
    scores.rendered_pages = scores.pages_with_references = check.whole_pages
    scores.rendered_fraction = check.pages
    scores.meter_error = round(budget.pages - check.pages, 2)
    if check.pages:
        measured = budget.counted_tokens / check.pages
        scores.measured_tokens_per_page = round(measured, 1)
        scores.tokens_per_page_error = round((tpp - measured) / measured, 3)
    return scores
