"""Rendering sections as text with citation markers: one function, used by the budget
(so what is counted is what is printed) and by every export."""

from __future__ import annotations

import re
from itertools import groupby

from assistant.records import Section, Sentence
from assistant.sentences import LIST_BULLETS, split_sentences


def sentence_with_markers(sentence: Sentence, numbers: dict[int, int] | None = None) -> str:
    """'Text. [2]' or 'Text. [2, 5]'; `numbers` renumbers section-local citations plan-wide."""
    if not sentence.citations:
        return sentence.text
    # Two passages merged into one reference (same document and page) are one marker.
    cited = list(dict.fromkeys(numbers.get(n, n) if numbers else n for n in sentence.citations))
    return f"{sentence.text} [{', '.join(str(n) for n in cited)}]"


LIST_MARK = "- "
_LIST_LINE = re.compile(rf"^\s*[-*{LIST_BULLETS}]\s+(?=\S)")  # "- ", "* " or a bullet the loaders keep


def paragraph_runs(paragraph: list[Sentence]) -> list[tuple[bool, list[Sentence]]]:
    """A paragraph's sentences as runs in order: (False, prose sentences) or (True, list items)."""
    return [(is_list, list(run)) for is_list, run in groupby(paragraph, key=lambda s: s.list_item)]


def paragraph_text(runs: list[tuple[bool, list[str]]]) -> str:
    """One paragraph's runs of rendered sentences as Markdown: prose joined by spaces, a list one item per line.

    A list opens on the next line, inside the paragraph (CommonMark lets a bullet list interrupt a paragraph, and
    the editor keeps it with its lead-in); prose after a list starts a new block, or Markdown would read it as the
    last item's continuation."""
    text, after_list = "", False
    for is_list, texts in runs:
        piece = "\n".join(LIST_MARK + t for t in texts) if is_list else " ".join(texts)
        text += ("\n\n" if after_list else "\n") + piece if text else piece
        after_list = is_list
    return text


def section_body(section: Section, numbers: dict[int, int] | None = None) -> str:
    return "\n\n".join(paragraph_text([(is_list, [sentence_with_markers(s, numbers) for s in run])
                                        for is_list, run in paragraph_runs(para)])
                       for para in section.paragraphs())


def section_markdown(section: Section, heading: str, numbers: dict[int, int] | None = None) -> str:
    body = section_body(section, numbers)
    return f"## {heading}\n\n{body}" if body else f"## {heading}"


_INLINE_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")


def _prose_pieces(prose: str) -> list[str]:
    """Prose split into sentences, each with the [n] markers that end it."""
    # pysbd splits "Text. [2] Next." before "[2]": glue a leading marker back on to the previous sentence.
    pieces: list[str] = []
    for piece in split_sentences(" ".join(prose.split())):
        if pieces and _INLINE_MARKERS.match(piece) and not _INLINE_MARKERS.sub("", piece, count=1).strip():
            pieces[-1] += " " + piece.strip()
        elif pieces and (lead := _INLINE_MARKERS.match(piece)):
            pieces[-1] += " " + lead.group(0).strip()
            pieces.append(piece[lead.end():].strip())
        else:
            pieces.append(piece.strip())
    return pieces


def _block_pieces(block: str) -> list[tuple[str, bool]]:
    """A block's sentences in order, each with whether it is a list item (a line of its own opening on a bullet)."""
    pieces: list[tuple[str, bool]] = []
    prose: list[str] = []
    for line in block.splitlines() + [""]:
        if (item := _LIST_LINE.match(line)) or not line.strip():
            pieces += [(piece, False) for piece in _prose_pieces(" ".join(prose))]
            prose = []
            if item:
                pieces.append((" ".join(line[item.end():].split()), True))
        else:
            prose.append(line)
    return pieces


def parse_section_text(text: str) -> list[Sentence]:
    """The inverse of `section_body`: paragraphs of sentences with trailing [n] markers, list items one per line.

    A marker belongs to the sentence it ends; markers inside a sentence are
    collected too, so an officer's edit keeps the citations it shows.
    """
    sentences: list[Sentence] = []
    for paragraph, block in enumerate(p for p in re.split(r"\n\s*\n", text) if p.strip()):
        for piece, list_item in _block_pieces(block):
            numbers = [int(n) for group in _INLINE_MARKERS.findall(piece) for n in group.split(",")]
            clean = " ".join(_INLINE_MARKERS.sub("", piece).split())
            clean = re.sub(r"\s+([.,;:])", r"\1", clean)
            if clean:
                sentences.append(Sentence(text=clean, citations=list(dict.fromkeys(numbers)), paragraph=paragraph,
                                          list_item=list_item))
    return sentences
