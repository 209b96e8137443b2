"""Helpers the loaders share besides text normalisation: titles, decoding, binary detection.

Rebuilding paragraphs from lines (wrapped lines, hyphenation, headings, lists, page and web
furniture) lives in assistant.ingest.normalise.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest import normalise as _normalise

def clean_line(line: str) -> str:
    return _normalise.clean_line(line)


def title_from_filename(path: Path) -> str | None:
    """'cabinet-minutes-2024-06-18.txt' -> 'Cabinet minutes 2024 06 18'; None for names that say nothing ('001_d44e5c.txt')."""
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    if sum(1 for w in stem.split() if w.isalpha() and len(w) >= 3) < 2:
        return None
    return stem[:1].upper() + stem[1:]


def readable_filename(path: Path) -> str:
    """The file's name as words, whatever it says: 'notes_v2.txt' -> 'Notes v2', 'minutes.txt' -> 'Minutes'.
    The last resort for a title: it is at least the name the officer uploaded, never a passage's opening words."""
    stem = re.sub(r"[_\-]+", " ", path.stem).strip() or path.name
    return stem[:1].upper() + stem[1:]


def display_title(line: str) -> str:
    """A first line used as a title: shortened, and ALL CAPS turned to Title Case."""
    line = clean_line(line)
    if len(line) > 100:
        line = line[:100].rsplit(" ", 1)[0] + "\u2026"
    return line.title() if line.isupper() else line


def plausible_title(value: str | None) -> str | None:
    """A metadata title worth showing (not 'Microsoft Word - x.docx' or 'untitled')."""
    if not value:
        return None
    value = clean_line(value)
    if len(value) < 4 or re.search(r"\.(docx?|pdf|rtf)\b|microsoft word|untitled", value, re.IGNORECASE):
        return None
    return value[:200]


# Byte-order marks of the Unicode encodings Windows tools write ("Unicode" in Notepad and
# Excel's "Unicode Text" are UTF-16 LE with a BOM). UTF-32 first: its LE mark starts with UTF-16's.
_BOMS = [
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` declares, if any."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def decode_bytes(data: bytes) -> str:
    """Decode text: by its byte-order mark if it has one, else UTF-8, falling back to
    Windows-1252 (common in council files), then Latin-1."""
    declared = bom_encoding(data)
    if declared and declared != "utf-8-sig":
        return data.decode(declared, errors="replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def looks_binary(data: bytes) -> bool:
    """NUL bytes or a high share of control characters: not a text file, whatever its name.

    Text with a UTF-16/32 byte-order mark is full of NUL bytes, so it is judged on its
    decoded characters instead."""
    declared = bom_encoding(data)
    if declared and declared != "utf-8-sig":
        try:
            sample_text = data[:8192].decode(declared, errors="ignore")
        except LookupError:
            return True
        control = sum(1 for c in sample_text if ord(c) < 32 and c not in "\t\n\f\r")
        return "\x00" in sample_text or (bool(sample_text) and control / len(sample_text) > 0.1)
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.1
