"""The page limit checked on the exported document itself: LibreOffice renders the DOCX to PDF.

The plan's pages are those between the draft cover sheet (a draft export opens with
one) and the references annex (when the template puts the references outside the
limit); the last of them is counted by how far down it is filled, so the check can be
set against the budget's estimate to a fraction of a page. Without LibreOffice the
check falls back to the budget's estimate and says so.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LIBREOFFICE_TIMEOUT = 120
# Printed as the last line of a draft's cover sheet, and as the annex heading: how the check finds them in the PDF.
COVER_END = "The plan begins on the next page."
ANNEX_HEADING = "Annex: references"


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


def page_fill(page, top_margin: float, bottom_margin: float) -> float:
    """How much of the page's text area is used, from its lowest line of body text (header and footer ignored)."""
    height = float(page.mediabox.height)
    lowest = [height - top_margin]

    def visit(text, cm, tm, font, size):
        if text.strip():
            # Text space to page space: tm then the current transformation matrix.
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if bottom_margin <= y <= height - top_margin:  # the footer's page number is not plan text
                lowest[0] = min(lowest[0], y - float(size or 0) * 0.25)

    page.extract_text(visitor_text=visit)
    area = height - top_margin - bottom_margin
    used = (height - top_margin) - lowest[0]
    return max(0.0, min(1.0, used / area))


@dataclass
class RenderedLayout:
    total_pages: int
    cover_pages: int  # the draft summary before the plan
    plan_pages: int  # the pages the page limit is about
    annex_pages: int  # the references annex after the plan, when it is one
    plan_fraction: float  # plan_pages with its last page counted by how full it is


def rendered_layout(pdf_path: Path, top_margin: float, bottom_margin: float) -> RenderedLayout:
    from pypdf import PdfReader

    pages = PdfReader(str(pdf_path)).pages
    texts = [" ".join((p.extract_text() or "").split()) for p in pages]
    cover = next((i + 1 for i, t in enumerate(texts) if COVER_END in t), 0)
    annex_start = next((i for i, t in enumerate(texts) if i >= cover and ANNEX_HEADING in t), len(pages))
    plan_pages = max(0, annex_start - cover)
    fraction = plan_pages - 1 + page_fill(pages[annex_start - 1], top_margin, bottom_margin) if plan_pages else 0.0
    return RenderedLayout(len(pages), cover, plan_pages, len(pages) - annex_start, round(fraction, 2))


def layout_of(docx_path: Path) -> RenderedLayout | None:
    """The DOCX's layout as LibreOffice renders it, or None when LibreOffice is not installed or fails."""
    from docx import Document

    section = Document(str(docx_path)).sections[0]
    with tempfile.TemporaryDirectory() as out:
        pdf = render_pdf(docx_path, Path(out))
        return rendered_layout(pdf, section.top_margin.pt, section.bottom_margin.pt) if pdf else None


@dataclass
class PageCheck:
    pages: float  # the plan's pages, the last counted by how full it is
    limit: int
    method: str  # "libreoffice" (rendered) or "estimate" (the budget's tokens / tokens-per-page)
    whole_pages: int = 0  # pages a reader counts (rendered), or the estimate rounded up
    references: str = ""  # where the references are, as the meter says it
    cover_pages: int = 0
    estimate: float | None = None  # the budget's figure, beside the rendered one

    @property
    def over(self) -> bool:
        return self.whole_pages > self.limit

    def message(self) -> str:
        how = "rendered with LibreOffice" if self.method == "libreoffice" else "estimated from the token count"
        verdict = "over the limit" if self.over else "within the limit"
        text = f"{self.whole_pages} of {self.limit} pages ({self.pages:.2f} filled, {how}): {verdict}"
        if self.estimate is not None and self.method == "libreoffice":
            text += f"; the budget estimated {self.estimate:.2f}"
        if self.cover_pages:
            text += f"; plus the draft cover sheet ({self.cover_pages} p, not counted)"
        return text + (f". References: {self.references}." if self.references else ".")
