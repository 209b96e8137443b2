"""What the tests mean by "the source's own words"."""

from __future__ import annotations


def squash(text: str) -> str:
    return " ".join(text.split())


def verbatim_in(sentence: str, passage: str) -> bool:
    """Word for word, the first letter aside: a minute's "... reported that the number of ..." is drafted as its
    clause, "The number of ...", capitalised (assess.passage_units)."""
    text, passage = squash(sentence), squash(passage)
    return text in passage or (text[:1].lower() + text[1:]) in passage
