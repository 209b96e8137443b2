"""Builders for test documents in every supported format (real files, real libraries)."""

from __future__ import annotations

import io
from pathlib import Path


def make_pdf(path: Path, pages: list[list[str]], running_header: str | None = None, title: str | None = None) -> Path:
    """A PDF with one list of paragraphs per page, a running header and 'Page n of N' footers."""
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            if running_header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 8, running_header, align="R")
                self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Doc()
    if title:
        pdf.set_title(title)
    for paragraphs in pages:
        pdf.add_page()
        for para in paragraphs:
            if para.startswith("# "):
                pdf.set_font("Helvetica", "B", 14)
                pdf.multi_cell(0, 8, para[2:])
            else:
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, para)
            pdf.ln(3)
    pdf.output(str(path))
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(str(source)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    target.write_bytes(buf.getvalue())
    return target


def make_docx(path: Path, items: list[tuple[str, str]], title: str | None = None) -> Path:
    """items: ('h1'|'h2'|'p', text) or ('table', [[cells]])."""
    from docx import Document

    doc = Document()
    if title:
        doc.core_properties.title = title
    for kind, content in items:
        if kind in ("h1", "h2"):
            doc.add_heading(content, level=int(kind[1]))
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            doc.add_paragraph(content)
    doc.save(str(path))
    return path
