"""PDF loader (pypdf): one block per paragraph, with its 1-based physical page number."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from .layout import plausible_title, reflow, repeated_lines, title_from_filename

log = logging.getLogger(__name__)


@register(".pdf")
def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns per odd object; we report per file
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many council PDFs are "encrypted" with an empty user password only to stop editing.
            try:
                if not reader.decrypt(""):
                    raise LoadError(path, "the PDF is password-protected; save an unprotected copy and ingest that")
            except LoadError:
                raise
            except Exception as exc:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                raise LoadError(path, f"the PDF is encrypted and could not be opened ({exc})") from exc
        page_lines = [(page.extract_text() or "").splitlines() for page in reader.pages]
        meta_title = plausible_title(reader.metadata.title if reader.metadata else None)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise LoadError(path, f"not a readable PDF ({type(exc).__name__}: {exc}); check the file opens in a PDF viewer") from exc

    furniture = repeated_lines(page_lines)
    blocks: list[Block] = []
    heading = ""
    first_heading = None
    for number, lines in enumerate(page_lines, start=1):
        for kind, text in reflow(lines, skip=furniture):
            if kind == "heading":
                heading = text
                first_heading = first_heading or text
            else:
                blocks.append(Block(text=text, page=number, heading=heading))
    title = meta_title or first_heading or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="pdf", blocks=blocks, page_count=len(page_lines))
