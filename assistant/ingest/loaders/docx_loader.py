"""DOCX loader (python-docx): paragraphs and tables in document order, under their headings."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from .tables import table_blocks
from .layout import clean_line, plausible_title, title_from_filename


# Limits checked on the zip's directory before anything is inflated (python-docx reads every
# part into memory whole, and lxml builds a tree several times the XML's size). A 300-page
# council report's document.xml is a few MB; ordinary XML compresses 5-30:1 in a DOCX, a
# zip bomb thousands to one.
MAX_XML_MB = 32
MAX_TOTAL_MB = 512
MAX_RATIO = 100  # Apache POI, which reads Office files for a living, refuses entries over 100:1 by default
_MB = 1024 * 1024


def check_package(path: Path) -> None:
    """Refuse a DOCX whose parts would inflate beyond what a real document needs."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(path, f"not a readable Word document (not a valid .docx package: {exc}); re-save it as .docx from Word") from exc
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > _MB and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise LoadError(
                path, f"its {part.filename} is compressed {part.file_size // max(part.compress_size, 1)}:1 "
                f"(expanding to {part.file_size / _MB:.0f} MB), as only a zip bomb is; the file was not opened"
            )
        if part.file_size > MAX_XML_MB * _MB and part.filename.endswith((".xml", ".rels")):
            raise LoadError(
                path, f"its {part.filename} expands to {part.file_size / _MB:.0f} MB of XML, over the {MAX_XML_MB} MB limit "
                "for one part; the file was not opened (split the document, or re-save it from Word)"
            )
    if total > MAX_TOTAL_MB * _MB:
        raise LoadError(path, f"its parts expand to {total / _MB:.0f} MB, over the {MAX_TOTAL_MB} MB limit; the file was not opened")


def _heading_level(style_name: str) -> int | None:
    name = (style_name or "").lower()
    if name == "title":
        return 0
    if name.startswith("heading"):
        digits = "".join(c for c in name if c.isdigit())
        return int(digits) if digits else 1
    return None


def _table_rows(table) -> list[list[str]]:
    """The table's rows as cell texts. A merged cell is listed by python-docx once per grid column it spans;
    it is one cell to the reader, so it is kept once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(clean_line(" ".join(p.text for p in cell.paragraphs)))
        rows.append(cells)
    return rows


@register(".docx")
def load_docx(path: Path) -> LoadedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_package(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError(path, f"not a readable Word document ({type(exc).__name__}); re-save it as .docx from Word") from exc
    except Exception as exc:  # noqa: BLE001 - python-docx surfaces lxml and package errors of many kinds
        # lxml's advice ("use XML_PARSE_HUGE", "see xmlCtxtSet...") and positions are for programmers;
        # the user needs what is wrong, and can only re-save.
        detail = re.split(r", (?:use|see) |, line \d+", str(exc))[0]
        raise LoadError(path, f"not a readable Word document ({type(exc).__name__}: {detail}); re-save it as .docx from Word") from exc

    blocks: list[Block] = []
    heading = ""
    first_heading = None
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = clean_line(item.text)
            if not text:
                continue
            level = _heading_level(item.style.name if item.style is not None else "")
            if level is not None:
                heading = text
                first_heading = first_heading or text
                continue
            blocks.append(Block(text=text, heading=heading))
        elif isinstance(item, Table):
            blocks.extend(table_blocks(_table_rows(item), heading))
    title = plausible_title(document.core_properties.title) or first_heading or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="docx", blocks=blocks)
