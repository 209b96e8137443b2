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


# -- hostile files (tests/reliability): real formats, broken or abused on purpose --------------

def seeded_bytes(n: int, seed: int = 6) -> bytes:
    """Deterministic 'random' bytes, so a failure message is the same on every run."""
    import random

    return random.Random(seed).randbytes(n)


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only an image: what a scanner without OCR produces."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in range(40, 280, 24):  # grey bars where a scan would show lines of print
        draw.rectangle([40, y, 560, y + 10], fill=90)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def rewrite_docx_part(source: Path, target: Path, part: str, chunks, level: int = 9) -> Path:
    """Copy a DOCX, replacing one part by the bytes `chunks` yields, streamed into the zip
    (so a test can write hundreds of MB of XML without holding it in memory)."""
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for info in src.infolist():
            if info.filename == part:
                replacement = zipfile.ZipInfo(part, date_time=info.date_time)
                replacement.compress_type = zipfile.ZIP_DEFLATED
                replacement._compresslevel = level  # ZipFile.open(..., "w") reads the level from here
                with out.open(replacement, "w", force_zip64=True) as fh:
                    for chunk in chunks:
                        fh.write(chunk)
            else:
                out.writestr(info, src.read(info.filename))
    return target


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_zip_bomb(source: Path, target: Path, megabytes: int = 300) -> Path:
    """A DOCX whose word/document.xml inflates to `megabytes` MB (of whitespace inside a
    valid body): about 300 KB on disk."""
    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'.encode()
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p></w:body></w:document>"

    # Level 1 is four times faster to build than 9 and still inflates over 200:1.
    return rewrite_docx_part(source, target, "word/document.xml", chunks(), level=1)


def docx_huge_xml(source: Path, target: Path, megabytes: int = 60) -> Path:
    """A DOCX whose body is `megabytes` MB of ordinary numbered paragraphs (compressing
    about as well as real text does, so only its size is abnormal)."""
    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'.encode()
        number = 0
        for _ in range(megabytes):
            block, size = [], 0
            while size < (1 << 20):
                number += 1
                para = (f"<w:p><w:r><w:t>Line {number}: budget code {number * 7919 % 100003}, "
                        f"ward {number * 31 % 97}, {number * 104729 % 999983} pounds.</w:t></w:r></w:p>")
                block.append(para)
                size += len(para)
            yield "".join(block).encode()
        yield b"</w:body></w:document>"

    return rewrite_docx_part(source, target, "word/document.xml", chunks(), level=1)


def docx_nested_xml(source: Path, target: Path, depth: int = 10_000) -> Path:
    """A DOCX whose body nests content controls `depth` deep (a parser stack exhaustion attempt)."""
    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'.encode()
        yield b"<w:sdt><w:sdtContent>" * depth
        yield b"<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
        yield b"</w:sdtContent></w:sdt>" * depth
        yield b"</w:body></w:document>"

    return rewrite_docx_part(source, target, "word/document.xml", chunks())


def docx_entity_expansion(source: Path, target: Path) -> Path:
    """A DOCX whose document.xml declares nested entities ("billion laughs")."""
    lol = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{"".join(lol)}]>'
        f'<w:document {_W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>The entity paragraph closes the document.</w:t></w:r></w:p></w:body></w:document>"
    )
    return rewrite_docx_part(source, target, "word/document.xml", [xml.encode()])


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (a hole), for size-limit tests."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path
