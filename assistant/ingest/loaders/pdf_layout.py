"""A PDF page's words as positioned lines, in reading order: the geometry half of the PDF loader.

pdfplumber gives every word with its box and font. From them this module builds physical
lines, splits a line into phrases where a wide gap separates them (table cells, a paragraph
number's hanging indent), finds a two-column page's gutter and orders the page's lines as a
reader would: what spans both columns, then the left column, then the right.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import cached_property

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.IGNORECASE)
# A phrase that is only a list marker or a paragraph number: it belongs to the text after it.
_MARKER = re.compile(r"^(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2219\u00b7\u25a0\uf0b7\uf0a7\uf0d8\-\u2013o*]|\(?[a-z]{1,4}\)|[a-h]\.|\d{1,2}(?:\.\d{1,2}){0,3}\.?|\(\d{1,2}\))$")
_FIGURE = re.compile(r"^[+\-\u2013(]*\s*[\u00a3$\u20ac]?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|m|k|bn|x)?\)?$|^[-\u2013]$|^n/?a$", re.IGNORECASE)


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class Phrase:
    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def is_figure(self) -> bool:
        return bool(_FIGURE.match(self.text.replace(" ", "")))


@dataclass
class PLine:
    """One physical line of text on a page (its words are fixed once group_lines has made it,
    so what is computed from them is computed once)."""

    words: list[Word]
    phrases: list[Phrase] = field(default_factory=list)

    @cached_property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @cached_property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @cached_property
    def bold(self) -> bool:
        letters = [w for w in self.words if any(c.isalpha() for c in w.text)]
        return bool(letters) and all(w.bold for w in letters)

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def tabular(self) -> bool:
        """Two or more phrases apart: cells of a table row, not a line of prose."""
        return len(self.phrases) >= 2


def load_objects(page) -> None:
    """Fill pdfplumber's object cache from pdfminer's layout with only the keys its word and
    table code reads. pdfplumber's own conversion resolves every attribute of every character
    (colours, graphics state) and took two thirds of the loading time of a 70-page report."""
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect

    height, number, doctop = float(page.height), page.page_number, page.initial_doctop
    mb_x0, mb_top = page.mediabox[0], page.mediabox[1]
    objects: dict[str, list[dict]] = {"char": [], "line": [], "rect": [], "curve": []}

    def box(obj, kind: str) -> dict:
        top = height - obj.y1 + mb_top
        return {"object_type": kind, "page_number": number, "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0, "y0": obj.y0, "y1": obj.y1,
                "top": top, "bottom": height - obj.y0 + mb_top, "doctop": doctop + top, "width": obj.width, "height": obj.height}

    def walk(items) -> None:
        for obj in items:
            if isinstance(obj, LTChar):
                char = box(obj, "char")
                char.update(text=obj.get_text(), fontname=obj.fontname, size=obj.size, adv=obj.adv, upright=obj.upright, matrix=obj.matrix)
                objects["char"].append(char)
            elif isinstance(obj, LTContainer):
                walk(obj._objs)  # a figure's or form's own text and lines
            elif isinstance(obj, (LTRect, LTLine, LTCurve)):
                kind = "rect" if isinstance(obj, LTRect) else "line" if isinstance(obj, LTLine) else "curve"
                shape = box(obj, kind)
                shape.update(pts=[(mb_x0 + x, mb_top + height - y) for x, y in obj.pts], linewidth=obj.linewidth,
                             stroke=obj.stroke, fill=obj.fill)
                objects[kind].append(shape)

    walk(page.layout._objs)
    page._objects = objects


def page_words(page) -> list[Word]:
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False, use_text_flow=False)
    return [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], float(w.get("size") or 0), bool(_BOLD.search(w.get("fontname") or "")))
            for w in words if w["text"].strip()]


def group_lines(words: list[Word]) -> list[PLine]:
    """Words into physical lines, top to bottom: a word joins a line it overlaps by half its height."""
    lines: list[PLine] = []
    spans: list[list[float]] = []  # each line's top and bottom so far, kept apart from PLine's computed ones
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        height = max(word.bottom - word.top, 1.0)
        for k in range(len(lines) - 1, max(len(lines) - 4, -1), -1):  # only the last few lines can still be open
            top, bottom = spans[k]
            if min(bottom, word.bottom) - max(top, word.top) >= 0.5 * height:
                lines[k].words.append(word)
                spans[k] = [min(top, word.top), max(bottom, word.bottom)]
                break
        else:
            lines.append(PLine([word]))
            spans.append([word.top, word.bottom])
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
        line.phrases = split_phrases(line.words)
    lines.sort(key=lambda l: l.top)
    return lines


def split_phrases(words: list[Word]) -> list[Phrase]:
    """Break a line where a gap is far wider than its word spacing.

    Justified prose stretches every space of a line alike (and doubles it after a full stop),
    so the cut is relative to the line's own word spacing as well as to its font size."""
    if len(words) < 2:
        return [Phrase(list(words))]
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    size = statistics.median(w.size for w in words) or 10.0
    spaces = [g for g in gaps if g < size] or [size / 3]  # the line's ordinary word spaces
    cut = max(1.2 * size, 2.5 * statistics.median(spaces))
    phrases = [Phrase([words[0]])]
    for gap, word in zip(gaps, words[1:]):
        if gap > cut:
            phrases.append(Phrase([word]))
        else:
            phrases[-1].words.append(word)
    # A bullet or paragraph number hanging left of its text is part of that text, not a cell.
    merged: list[Phrase] = []
    for phrase in phrases:
        if merged and _MARKER.match(merged[-1].text) and len(merged[-1].words) == 1 and not phrase.is_figure:
            merged[-1].words.extend(phrase.words)
        else:
            merged.append(phrase)
    return merged


def find_gutter(lines: list[PLine], width: float) -> float | None:
    """The x of a two-column page's gutter: a vertical strip in the middle third that no body line
    crosses, with a column of prose on each side. None for a single-column page."""
    if len(lines) < 8:
        return None
    left_bound, right_bound = int(width * 0.3), int(width * 0.7)
    crossing = [0] * (int(width) + 2)
    for line in lines:
        for phrase in line.phrases:
            for x in range(max(int(phrase.x0), left_bound), min(int(phrase.x1) + 1, right_bound)):
                crossing[x] += 1
    limit = max(1, len(lines) // 20)  # a title or footer may span both columns
    best, run_start, best_len = None, None, 0
    for x in range(left_bound, right_bound + 1):
        if x < right_bound and crossing[x] <= limit:
            run_start = x if run_start is None else run_start
            continue
        if run_start is not None and x - run_start > best_len:
            best, best_len = (run_start + x) / 2, x - run_start
        run_start = None
    if best is None or best_len < 8:
        return None
    # Both sides must read as prose: several lines of words a good part of the page wide. The
    # columns of a table are mostly short cells and figures.
    phrases = [p for l in lines for p in l.phrases]
    for side in ([p for p in phrases if p.x1 <= best], [p for p in phrases if p.x0 >= best]):
        wide = [p for p in side if p.x1 - p.x0 > width * 0.2 and len(p.words) >= 4]
        if len(wide) < 4 or len(wide) < 0.6 * len(side):
            return None
    return best


def ruled_gutter(lines: list[PLine], width: float, vertical_rules: list[float]) -> float | None:
    """A long vertical rule down the middle of the page that no line crosses: two columns
    divided by a line (a two-column table with no outer borders reads the same way)."""
    for x in vertical_rules:
        if width * 0.15 < x < width * 0.85 and sum(p.x0 < x - 1 and p.x1 > x + 1 for l in lines for p in l.phrases) <= len(lines) // 20:
            left = sum(1 for l in lines if l.x1 <= x)
            right = sum(1 for l in lines if l.x0 >= x)
            if left >= 2 and right >= 4:
                return x
    return None


def reading_order(words: list[Word], width: float, vertical_rules: list[float] = ()) -> list[PLine]:
    """The page's lines as a reader takes them: full-width bands top to bottom, and inside a
    two-column band the left column before the right. `vertical_rules`: x of rules at least a
    quarter of the page high."""
    lines = group_lines(words)
    gutter = find_gutter(lines, width) or ruled_gutter(lines, width, vertical_rules)
    if gutter is None:
        return lines
    ordered: list[PLine] = []
    band: list[Word] = []

    def flush_band() -> None:
        left = [w for w in band if w.x1 <= gutter]
        right = [w for w in band if w.x1 > gutter]
        ordered.extend(group_lines(left) + group_lines(right))
        band.clear()

    for line in lines:
        if line.x0 < gutter < line.x1 and any(p.x0 < gutter < p.x1 for p in line.phrases):
            flush_band()  # a heading or footer across both columns ends the band above it
            ordered.append(line)
        else:
            band.extend(line.words)
    flush_band()
    return ordered
