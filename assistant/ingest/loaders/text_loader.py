"""Markdown and plain-text loaders."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from .layout import clean_line, decode_bytes, display_title, looks_binary, reflow, title_from_filename

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
    blocks: list[Block] = []
    heading = ""
    first_heading = None
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block(text=" ".join(para), heading=heading))
            para.clear()

    in_code = False
    for raw in _read_text(path).split("\n"):
        if raw.strip().startswith("```"):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        match = _MD_HEADING.match(raw)
        if match:
            flush()
            heading = _strip_markdown(match.group(2).rstrip().rstrip("#").rstrip())
            first_heading = first_heading or heading
            continue
        if not raw.strip() or _MD_LIST.match(raw):
            flush()
        text = _strip_markdown(_MD_LIST.sub("", raw))
        if text:
            para.append(text)
    flush()
    return LoadedDocument(source=str(path), title=first_heading or title_from_filename(path) or path.name, kind="md", blocks=blocks)


@register(".txt", ".text")
def load_text(path: Path) -> LoadedDocument:
    blocks: list[Block] = []
    heading = ""
    lines = _read_text(path).split("\n")
    for kind, text in reflow(lines):
        if kind == "heading":
            heading = text
        else:
            blocks.append(Block(text=text, heading=heading))
    # Plain text has no title field and its first line is often a letterhead, so a
    # file name that says something names it; otherwise the first line does.
    first_line = next((l for l in lines if l.strip()), path.name)
    title = title_from_filename(path) or display_title(first_line)
    return LoadedDocument(source=str(path), title=title, kind="txt", blocks=blocks)
