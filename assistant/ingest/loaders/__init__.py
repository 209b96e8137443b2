"""Document loaders, one module per format, registered by file extension.

Each loader turns one file into a `LoadedDocument` of text blocks carrying the
page (where the format has pages) and the heading they sit under. A loader
raises `LoadError` with a message a user can act on; it never returns silence
for a file it could not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from assistant.records import LoadedDocument

from .errors import LoadError

Loader = Callable[[Path], LoadedDocument]

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


def load(path: Path) -> LoadedDocument:
    """Load one file with the loader for its extension."""
    _load_builtins()
    loader = _LOADERS.get(path.suffix.lower())
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
