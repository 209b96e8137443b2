"""DOCX loader (python-docx): paragraphs and tables in document order, under their headings."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from .layout import clean_line, plausible_title, title_from_filename


def _heading_level(style_name: str) -> int | None:
    name = (style_name or "").lower()
    if name == "title":
        return 0
    if name.startswith("heading"):
        digits = "".join(c for c in name if c.isdigit())
        return int(digits) if digits else 1
    return None


@register(".docx")
def load_docx(path: Path) -> LoadedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError(path, f"not a readable Word document ({type(exc).__name__}); re-save it as .docx from Word") from exc
    except Exception as exc:  # noqa: BLE001 - python-docx surfaces lxml and package errors of many kinds
        raise LoadError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from exc

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
            # Table rows are kept for search (a figure in a table can be found),
            # joined with " | " so the drafter can tell they are not sentences.
            for row in item.rows:
                cells = [clean_line(c.text) for c in row.cells]
                if any(cells):
                    blocks.append(Block(text=" | ".join(cells), heading=heading))
    title = plausible_title(document.core_properties.title) or first_heading or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="docx", blocks=blocks)
