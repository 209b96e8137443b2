"""HTML loader (BeautifulSoup): the page's text blocks, without scripts, styles or site furniture."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.records import Block, LoadedDocument

from . import register
from .errors import LoadError
from .layout import clean_line, decode_bytes, looks_binary, plausible_title, title_from_filename

_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button"]
_FURNITURE = re.compile(r"cookie|banner|breadcrumb|menu|skip-link|site-header|site-footer", re.IGNORECASE)
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd", "figcaption", "div"]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@register(".html", ".htm")
def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup

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

    blocks: list[Block] = []
    heading = ""
    first_heading = None
    for el in root.find_all(_BLOCK_TAGS):
        # Take only the innermost block elements, so nested markup is read once.
        if el.find(_BLOCK_TAGS) is not None:
            continue
        text = clean_line(el.get_text(" ", strip=True))
        if not text:
            continue
        if el.name in _HEADINGS:
            heading = text
            first_heading = first_heading or text
        else:
            blocks.append(Block(text=text, heading=heading))
    title = first_heading or plausible_title(page_title.split("|")[0]) or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="html", blocks=blocks)
