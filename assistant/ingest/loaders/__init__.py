"""Document loaders, one module per format, registered by file extension.

Each loader turns one file into a `LoadedDocument` of text blocks carrying the
page (where the format has pages) and the heading they sit under. A loader
raises `LoadError` with a message a user can act on; it never returns silence
for a file it could not read.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import Callable

from assistant.records import LoadedDocument

from .errors import LoadError

Loader = Callable[[Path], LoadedDocument]
log = logging.getLogger(__name__)

_LOADERS: dict[str, Loader] = {}


def register(*extensions: str):
    def wrap(fn: Loader) -> Loader:
        for ext in extensions:
            _LOADERS[ext.lower()] = fn
        return fn

    return wrap


def supported_extensions() -> list[str]:
    _load_builtins()
    return sorted(_LOADERS)


def sniff_extension(path: Path) -> str | None:
    """The format the file's first bytes declare, for the formats that carry a signature.

    Files on shared drives get renamed: a PDF saved as "report.docx" would otherwise
    fail with a confusing "not a Word document"; read by what it is, it just works.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None  # the loader reports the unreadable file in its own words
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as package:
                return ".docx" if "word/document.xml" in package.namelist() else None
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def load(path: Path) -> LoadedDocument:
    """Load one file with the loader for its content (PDF and DOCX have signatures), else its extension."""
    _load_builtins()
    ext = path.suffix.lower()
    sniffed = sniff_extension(path)
    if sniffed and sniffed != ext:
        log.info("%s holds a %s file; reading it as one", path, sniffed)
        ext = sniffed
    loader = _LOADERS.get(ext)
    if loader is None:
        raise LoadError(path, f"unsupported file type '{path.suffix or '(none)'}'; supported: {', '.join(sorted(_LOADERS))}")
    doc = loader(path)
    if not any(b.text.strip() for b in doc.blocks):
        raise LoadError(path, "no extractable text (a scanned document needs OCR before it can be ingested)")
    return doc


def _load_builtins() -> None:
    # Imported lazily: pypdf and python-docx cost start-up time the CLI's --help should not pay.
    from . import docx_loader, html_loader, pdf_loader, text_loader  # noqa: F401


__all__ = ["LoadError", "load", "register", "supported_extensions"]
