"""HTML loader (BeautifulSoup): the page's text blocks, without scripts, styles or site furniture."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from assistant.ingest.normalise import Line, paragraphs

from .layout import clean_line, decode_bytes, looks_binary, plausible_title, title_from_filename
from .tables import table_blocks

_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button"]
_FURNITURE = re.compile(r"cookie|banner|breadcrumb|menu|skip-link|site-header|site-footer", re.IGNORECASE)
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd", "figcaption", "div"]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLANK_LINE = re.compile(r"\n\s*\n")


_TABLE_MARK = "cda-table"
_LAYOUT_INSIDE = ["p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"]


def _take_tables(soup, root) -> list[list[list[str]]]:
    """Data tables out of the page, each replaced by a mark where it stood: rows of cell texts.

    A table whose cells hold paragraphs, lists or other tables is page layout (old council sites
    lay pages out in tables), not data: it stays and is read as text."""
    found = []
    for table in root.find_all("table"):
        if table.decomposed or table.find_parent("table") is not None:
            continue
        cells = table.find_all(["td", "th"])
        if not cells or any(c.find(_LAYOUT_INSIDE) for c in cells):
            continue
        rows = [[clean_line(c.get_text(" ", strip=True)) for c in tr.find_all(["td", "th"], recursive=False)]
                for tr in table.find_all("tr") if tr.find_parent("table") is table]
        caption = table.find("caption")
        mark = soup.new_tag(_TABLE_MARK, attrs={"data-table": str(len(found))})
        table.replace_with(mark)
        if caption is not None and (text := clean_line(caption.get_text(" ", strip=True))):
            mark.insert_before(soup.new_tag("p", string=text))
        found.append(rows)
    return found


@register(".html", ".htm")
def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup, NavigableString, Tag

    data = path.read_bytes()
    if looks_binary(data):
        raise LoadError(path, "binary data, not HTML; check the file's extension")
    soup = BeautifulSoup(decode_bytes(data), "html.parser")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"class": _FURNITURE}) + soup.find_all(attrs={"id": _FURNITURE}):
        if not tag.decomposed:
            tag.decompose()
    root = soup.body or soup
    tables = _take_tables(soup, root)

    # The page's text as lines for the shared rules (assistant.ingest.normalise): each element a
    # line of its own, headings by tag, list items by <li>, web furniture dropped there.
    lines: list[Line | int] = []  # an int marks where table number n stood
    loose: list[str] = []

    def flush_loose() -> None:
        # Text outside any paragraph-like element (straight in <body>, in a <span>, or a
        # plain-text file saved as .html) is still the document's text: keep it, by paragraph.
        for para in _BLANK_LINE.split("".join(loose)):
            if text := clean_line(para.replace("\n", " ")):
                lines.append(Line(text, heading=False, gap_before=True))
        loose.clear()

    # Which block elements hold other block elements, in one pass: bs4's find() inside a
    # loop costs the size of the subtree each call, which was quadratic on deeply nested pages
    # (20,000 nested <div>s took over a minute).
    holds_blocks: set[int] = set()
    for el in root.find_all(_BLOCK_TAGS):
        parent = el.parent
        while parent is not None and parent is not root:
            if parent.name in _BLOCK_TAGS:
                if id(parent) in holds_blocks:
                    break  # its ancestors were marked when it was
                holds_blocks.add(id(parent))
            parent = parent.parent
    nearest: dict[int, Tag | None] = {}  # id(tag) -> the closest block element at or above it

    for node in root.descendants:
        if isinstance(node, Tag) and node.name == _TABLE_MARK:
            flush_loose()
            lines.append(int(node["data-table"]))  # where the table stands among the lines
            continue
        if isinstance(node, Tag):
            is_block = node.name in _BLOCK_TAGS
            nearest[id(node)] = node if is_block else nearest.get(id(node.parent))
            if not is_block:
                continue
            flush_loose()  # a block starts: loose text before it is a paragraph of its own
            if id(node) in holds_blocks:
                continue  # only the innermost block elements are read, so nested markup is read once
            text = clean_line(node.get_text(" ", strip=True))
            if not text:
                continue
            lines.append(Line(text, heading=node.name in _HEADINGS, gap_before=True, item=node.name == "li"))
        elif type(node) is NavigableString and node.parent is not None and node.parent.name != "title":  # not comments or doctypes
            owner = nearest.get(id(node.parent))
            if owner is None or id(owner) in holds_blocks:
                loose.append(str(node))
    flush_loose()
    blocks: list[Block] = []
    heading = ""
    first_heading = None
    # The lines between tables go through the shared paragraph rules; a table is read where it stands.
    runs: list[list[Line] | int] = [[]]
    for line in lines:
        if isinstance(line, int):
            runs += [line, []]
        else:
            runs[-1].append(line)
    for run in runs:
        if isinstance(run, int):
            blocks.extend(table_blocks(tables[run], heading))
            continue
        for unit in paragraphs(run):
            if unit.kind == "heading":
                heading = unit.text
                first_heading = first_heading or unit.text
            else:
                blocks.append(Block(text=unit.text, heading=heading))
    title = first_heading or plausible_title(page_title.split("|")[0]) or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="html", blocks=blocks)
