"""Export stage, Word: the plan as a DOCX officers can take to members for sign-off.

Title, one heading per theme, the paragraphs with plan-wide citation markers, and a
numbered references list giving document and page. Evidence gaps are working notes
for the officer, not part of the submitted document, so they are left out.

The page limit is checked on the document itself: rendered to PDF by LibreOffice
when it is installed (the real page count), else estimated from the token count
with the template's tokens-per-page figure (and the check says which it used).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.shared import Cm, Mm, Pt

from assistant.export import number_citations, reference_text
from assistant.records import Plan
from assistant.render import section_body
from assistant.templates import PlanTemplate

log = logging.getLogger(__name__)

LIBREOFFICE_TIMEOUT = 120


def plan_docx(plan: Plan, template: PlanTemplate, path: Path) -> Path:
    numbered = number_citations(plan)
    doc = Document()
    for section in doc.sections:
        # python-docx starts from US Letter; a council's plan is printed on A4 with 2.54 cm margins.
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.54)
    style = doc.styles["Normal"]
    style.font.name = "Arial"  # the house style of most council reports
    style.font.size = Pt(11)
    doc.core_properties.title = plan.title
    doc.add_heading(plan.title, level=0)
    for section in plan.sections:
        doc.add_heading(template.theme(section.theme_id).heading, level=1)
        for paragraph in section_body(section, numbered.numbers[section.theme_id]).split("\n\n"):
            if paragraph.strip():
                doc.add_paragraph(paragraph)
    if numbered.references:
        doc.add_heading("References", level=1)
        for i, evidence in enumerate(numbered.references, 1):
            doc.add_paragraph(f"[{i}] {reference_text(evidence)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


@dataclass
class PageCheck:
    pages: float
    limit: int
    method: str  # "libreoffice" (rendered) or "estimate" (tokens / tokens-per-page)

    @property
    def over(self) -> bool:
        return self.pages > self.limit

    def message(self) -> str:
        how = "rendered with LibreOffice" if self.method == "libreoffice" else "estimated from the token count"
        verdict = "over the limit" if self.over else "within the limit"
        return f"{self.pages:g} of {self.limit} pages ({how}): {verdict}"


def libreoffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def render_pdf(docx_path: Path, out_dir: Path) -> Path | None:
    """The DOCX laid out by LibreOffice as a PDF in out_dir, or None when LibreOffice is not installed or fails."""
    binary = libreoffice_binary()
    if binary is None:
        return None
    # A private profile: a second LibreOffice (or a user's open one) would otherwise block the conversion.
    profile = out_dir / "lo-profile"
    cmd = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=LIBREOFFICE_TIMEOUT)
    except (subprocess.SubprocessError, OSError) as exc:
        log.warning("LibreOffice could not render %s (%s); estimating pages instead", docx_path.name, exc)
        return None
    pdf = out_dir / (docx_path.stem + ".pdf")
    return pdf if pdf.exists() else None


def rendered_pages(docx_path: Path) -> int | None:
    """Pages of the DOCX as LibreOffice lays it out, or None when LibreOffice is not installed or fails."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as out:
        pdf = render_pdf(docx_path, Path(out))
        return len(PdfReader(str(pdf)).pages) if pdf else None


def check_pages(docx_path: Path, plan: Plan, template: PlanTemplate) -> PageCheck:
    pages = rendered_pages(docx_path)
    if pages is not None:
        return PageCheck(pages, template.page_limit, "libreoffice")
    return PageCheck(round(plan.total_tokens / template.tokens_per_page, 2), template.page_limit, "estimate")
