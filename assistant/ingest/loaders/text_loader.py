"""Markdown and plain-text loaders."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from assistant.ingest.normalise import Line, paragraphs, repeated_lines

from .layout import clean_line, decode_bytes, display_title, looks_binary, readable_filename, title_from_filename

# Every pattern here runs on lines of untrusted length, so none may backtrack without bound:
# "(.*?)\s*#*\s*$" took minutes on a heading followed by 4,000 spaces, and pairing emphasis
# markers with a lazy span took 90 s on a 100 KB line of "_x ". Link spans are capped (longer
# ones are left as typed) and the heading's closing hashes are trimmed with str methods.
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MD_LINK = re.compile(r"!?\[([^\[\]]{0,500})\]\([^()]{0,2000}\)")
# Emphasis markers are dropped where they open or close a word, without pairing them: pairing
# needs a span search from every marker, which is quadratic on a long line of unpaired ones.
_MD_EMPHASIS = re.compile(r"(?<![\w*_`])(?:\*\*|__|\*|_|`)(?=[^\s*_`])|(?<=[^\s*_`])(?:\*\*|__|\*|_|`)(?![\w*_`])")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if looks_binary(data):
        raise LoadError(path, "binary data, not text; check the file's extension")
    return decode_bytes(data).replace("\r\n", "\n").replace("\r", "\n")


def _strip_markdown(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub("", line)
    return clean_line(line)


@register(".md", ".markdown")
def load_markdown(path: Path) -> LoadedDocument:
    """Markdown through the shared paragraph rules: its headings are headings, its list items stay under the sentence
    that introduces them ("Tools in use:" then "- Name: what it does"), as in every other format."""
    lines: list[Line] = []
    in_code, gap = False, True
    for raw in _read_text(path).split("\n"):
        if raw.strip().startswith("```"):
            in_code, gap = not in_code, True
            continue
        if in_code:
            continue
        if not raw.strip():
            gap = True
            continue
        if match := _MD_HEADING.match(raw):
            if heading := _strip_markdown(match.group(2).rstrip().rstrip("#").rstrip()):
                lines.append(Line(heading, heading=True, gap_before=True))
            gap = True
            continue
        marker = _MD_LIST.match(raw)
        if text := _strip_markdown(raw[marker.end():] if marker else raw):
            # Indents in characters, scaled to the points the paragraph rules expect: an item's wrapped lines
            # indented under its text continue it.
            lines.append(Line(text, heading=False, gap_before=gap, indent=3.0 * (len(raw) - len(raw.lstrip())),
                              item=marker is not None))
        gap = False
    blocks: list[Block] = []
    heading, first_heading = "", None
    for unit in paragraphs(lines):
        if unit.kind == "heading":
            heading = unit.text
            first_heading = first_heading or heading
        else:
            blocks.append(Block(text=unit.text, heading=heading))
    return LoadedDocument(source=str(path), title=first_heading or title_from_filename(path) or readable_filename(path), kind="md",
                          blocks=blocks)


def text_lines(text: str) -> tuple[list[Line], set[str]]:
    """A plain text's lines, each marked when a blank line (or a page break) came before it, and
    the running headers and footers to skip when the text has form-feed pages (pdftotext's)."""
    pages = [page.split("\n") for page in text.split("\f")]
    lines: list[Line] = []
    for page in pages:
        gap = True
        for raw in page:
            if not raw.strip():
                gap = True
                continue
            lines.append(Line(raw, gap_before=gap))
            gap = False
    return lines, repeated_lines(pages) if len(pages) > 1 else set()


def _heading_limit(lines: list[Line]) -> int:
    # Hard-wrapped lines run close to the text width; headings stop well short of it.
    lengths = sorted(len(clean_line(l.text)) for l in lines)
    width = lengths[int(len(lengths) * 0.8)] if lengths else 0
    return int(width * 0.75) if width >= 60 else 90


@register(".txt", ".text")
def load_text(path: Path) -> LoadedDocument:
    blocks: list[Block] = []
    heading = ""
    first_heading = None  # a heading before any paragraph: the document's own title line
    text = _read_text(path)
    lines, furniture = text_lines(text)
    for unit in paragraphs(lines, skip=furniture, max_heading_len=_heading_limit(lines)):
        if unit.kind == "heading":
            heading = unit.text
            if not blocks and first_heading is None:
                first_heading = unit.text
        else:
            blocks.append(Block(text=unit.text, heading=heading))
    # Plain text has no title field and its first line is often a letterhead, so a file name that
    # says something names it; otherwise a heading that opens the text does. The first line itself
    # is no title when it is a sentence (a note that starts "The Council agreed its budget on ..."
    # was listed under that sentence, cut at 100 characters): then the file's own name is used.
    title = title_from_filename(path) or (display_title(first_heading) if first_heading else readable_filename(path))
    return LoadedDocument(source=str(path), title=title, kind="txt", blocks=blocks)
