"""What the tests mean by "the source's own words"."""

from __future__ import annotations

import re

from assistant.sentences import LIST_BULLETS


def squash(text: str) -> str:
    return " ".join(text.split())


def unbulleted(text: str) -> str:
    """The text without its list marks: a list item that completes its lead-in is drafted joined to it
    ("... general discussion around: The revenue areas ..."), the bullet between them being layout, not words."""
    return re.sub(rf"(?:^|\s)[{LIST_BULLETS}](?=\s)", " ", text)


def verbatim_in(sentence: str, passage: str) -> bool:
    """Word for word, the first letter aside: a minute's "... reported that the number of ..." is drafted as its
    clause, "The number of ...", capitalised (units.passage_units); list marks aside. A list item that completes its
    lead-in is drafted joined to it ("... general discussion around: The revenue areas ..."): then the lead-in and
    the item are each word for word, the item after the lead-in (other items may come between)."""
    text, passage = squash(sentence), squash(unbulleted(passage))
    if _found(text, passage) >= 0:
        return True
    for cut in (m.end() for m in re.finditer(r":\s", text)):
        lead, item = text[:cut].rstrip(), text[cut:]
        at = _found(lead, passage)
        if at >= 0 and _found(item, passage[at + len(lead):]) >= 0:
            return True
    return False


def _found(text: str, passage: str) -> int:
    at = passage.find(text)
    return at if at >= 0 else passage.find(text[:1].lower() + text[1:])
