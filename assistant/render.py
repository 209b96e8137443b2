"""Rendering sections as text with citation markers: one function, used by the budget
(so what is counted is what is printed) and by every export."""

from __future__ import annotations

import re

from assistant.records import Section, Sentence
from assistant.sentences import split_sentences


def sentence_with_markers(sentence: Sentence, numbers: dict[int, int] | None = None) -> str:
    """'Text. [2]' or 'Text. [2, 5]'; `numbers` renumbers section-local citations plan-wide."""
    if not sentence.citations:
        return sentence.text
    # Two passages merged into one reference (same document and page) are one marker.
    cited = list(dict.fromkeys(numbers.get(n, n) if numbers else n for n in sentence.citations))
    return f"{sentence.text} [{', '.join(str(n) for n in cited)}]"


def section_body(section: Section, numbers: dict[int, int] | None = None) -> str:
    return "\n\n".join(" ".join(sentence_with_markers(s, numbers) for s in para) for para in section.paragraphs())


def section_markdown(section: Section, heading: str, numbers: dict[int, int] | None = None) -> str:
    body = section_body(section, numbers)
    return f"## {heading}\n\n{body}" if body else f"## {heading}"


_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]\s*$")
_INLINE_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")


def parse_section_text(text: str) -> list[Sentence]:
    """The inverse of `section_body`: paragraphs of sentences with trailing [n] markers.

    A marker belongs to the sentence it ends; markers inside a sentence are
    collected too, so an officer's edit keeps the citations it shows.
    """
    sentences: list[Sentence] = []
    for paragraph, block in enumerate(p for p in re.split(r"\n\s*\n", text) if p.strip()):
        # pysbd splits "Text. [2] Next." before "[2]": glue a leading marker back on to the previous sentence.
        pieces: list[str] = []
        for piece in split_sentences(" ".join(block.split())):
            if pieces and _INLINE_MARKERS.match(piece) and not _INLINE_MARKERS.sub("", piece, count=1).strip():
                pieces[-1] += " " + piece.strip()
            elif pieces and (lead := _INLINE_MARKERS.match(piece)):
                pieces[-1] += " " + lead.group(0).strip()
                pieces.append(piece[lead.end():].strip())
            else:
                pieces.append(piece.strip())
        for piece in pieces:
            numbers = [int(n) for group in _INLINE_MARKERS.findall(piece) for n in group.split(",")]
            clean = " ".join(_INLINE_MARKERS.sub("", piece).split())
            clean = re.sub(r"\s+([.,;:])", r"\1", clean)
            if clean:
                sentences.append(Sentence(text=clean, citations=list(dict.fromkeys(numbers)), paragraph=paragraph))
    return sentences
