"""Turning extracted lines of text back into paragraphs and headings.

PDF and plain-text extraction give wrapped lines with no structure. These
helpers rejoin wrapped lines into paragraphs, spot headings, and drop the
furniture of printed reports (running headers, page numbers).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_TERMINAL = (".", "!", "?", ":", ";", '"', "\u201d", ")")
_BULLET = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa\u2013\-\*\u00b7]|\(?[a-z0-9]{1,3}[.)])\s+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_line(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def is_page_furniture(line: str) -> bool:
    """A bare page number or 'Page 3 of 10'."""
    return bool(_PAGE_NUMBER.match(line))


def is_heading_line(line: str, next_line: str | None = None, max_len: int = 90) -> bool:
    """A short line with no closing punctuation, followed by a fresh start, that reads like a title.

    Either ALL CAPS, numbered ('2. What phase one delivered'), or a few words.
    Lines near the full text width are wrapped paragraph text, never headings.
    """
    text = line.strip()
    if not text or len(text) > max_len or text.endswith(_TERMINAL) or text.endswith(","):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if next_line is not None and not (next_line[:1].isupper() or next_line[:1].isdigit() or next_line[:1] in "\u2022\u00a3"):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(letters) > 3:
        return True
    if re.match(r"^\d+(\.\d+)*\.?\s+[A-Z]", text) and len(text.split()) <= 12:
        return True
    return len(text.split()) <= 10


def repeated_lines(pages: list[list[str]]) -> set[str]:
    """Lines that recur on most pages: running headers and footers.

    Digits are masked so 'Page 3' and 'Page 4' count as the same line.
    """
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_mask_digits(l) for l in lines if l.strip()})
    threshold = max(2, int(len(pages) * 0.5 + 0.5))
    return {line for line, n in counts.items() if n >= threshold}


def _mask_digits(line: str) -> str:
    return re.sub(r"\d+", "#", clean_line(line)).lower()


def reflow(lines: list[str], skip: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Group wrapped lines into ('heading', text) and ('para', text) items.

    A blank line, a bullet, or a heading ends a paragraph; other lines are joined
    with a space, and a word hyphenated across a line break is rejoined.
    """
    items: list[tuple[str, str]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            items.append(("para", " ".join(buf)))
            buf.clear()

    cleaned = [clean_line(l) for l in lines]
    # Wrapped lines run close to the text width; headings stop well short of it.
    lengths = sorted(len(l) for l in cleaned if l)
    width = lengths[int(len(lengths) * 0.8)] if lengths else 0
    max_len = int(width * 0.75) if width >= 60 else 90
    for i, line in enumerate(cleaned):
        if not line:
            flush()
            continue
        if _mask_digits(line) in skip or is_page_furniture(line):
            continue
        nxt = next((l for l in cleaned[i + 1:] if l), None)
        if (not buf or buf[-1].endswith(_TERMINAL)) and is_heading_line(line, nxt, max_len):
            flush()
            items.append(("heading", line))
            continue
        if _BULLET.match(line):
            flush()
        if buf and buf[-1].endswith("-") and line[:1].islower():
            buf[-1] = buf[-1][:-1] + line
        else:
            buf.append(line)
    flush()
    return items


def title_from_filename(path: Path) -> str | None:
    """'cabinet-minutes-2024-06-18.txt' -> 'Cabinet minutes 2024 06 18'; None for names that say nothing ('001_d44e5c.txt')."""
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    if sum(1 for w in stem.split() if w.isalpha() and len(w) >= 3) < 2:
        return None
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
