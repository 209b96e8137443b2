"""Text normalisation shared by the PDF, text and HTML loaders: lines in, prose units out.

A loader hands over the lines it found, in reading order, with what its format knows about
each (a heading by font or tag, a blank line or vertical gap before it, its indent, a list item
by tag). `paragraphs` turns them into headings and paragraphs:

- wrapped lines are rejoined, and so is a sentence broken by a blank line (copied web pages and
  PDFs put one inside a sentence: a line ending mid-sentence, a blank, then a lower-case
  continuation, or anything after a line ending "of" or "the", is still the same sentence);
- a word split across lines is rejoined ("signif-" + "icantly"), but a real compound keeps its
  hyphen ("one-off", "2024-25"): council reports are typeset by Word, which does not hyphenate,
  so a line-end hyphen is taken as real unless the document or the word's shape says otherwise;
- page furniture (page numbers, "Page 3 of 10", table-of-contents dot leaders) and web
  furniture ("Skip to main content", cookie notices, breadcrumbs, lone image captions) are dropped;
- bulleted and numbered items stay with the sentence that introduces them (one ending with a
  colon, or left unfinished), one item a line under it, each starting "• ":
  "The council will:\\n• reduce agency spend\\n• close two offices". Items that nothing
  introduces are paragraphs of their own ("• ..."). An ordinary paragraph holds no newline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

BULLET_MARK = "\u2022 "

# Closing punctuation: a line ending with one (perhaps inside a closing quote or bracket) may
# end its paragraph. A bracket alone does not: "Housing Revenue Account (HRA)" runs on.
_TERMINAL = (".", "!", "?", ":", ";")
_CLOSERS = "\"'\u201d\u2019)]"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
# A list item's marker: a bullet glyph, a dash, "a)", "a.", "(ii)", "1." or "1)". "o" is Word's
# second-level bullet once pasted as text. Paragraph numbers like "2.1" are not markers.
_BULLET = re.compile(
    r"^(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2219\u00b7\u25a0\u25a1\u27a2\u27a4\u25ba\u2713\u2714\uf0b7\uf0a7\uf0d8\*]"
    r"|[-\u2013\u2014](?=\s)|o(?=\s+[A-Z\u00a3\d])|\(?[a-h]\)|[a-h]\.(?=\s)|\([ivx]{1,5}\)|[ivx]{1,5}[.)](?=\s)|\d{1,2}[.)](?=\s))\s*")
_DASH_MARKER = re.compile(r"^[-\u2013\u2014]\s")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-\u2013]\s*\d{1,4}\s*[-\u2013]$", re.IGNORECASE)
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{0,4}$|\u2026{2,}\s*\d{0,4}$")
_WEB_LINE = re.compile(
    r"^(?:skip to (?:main )?content|skip navigation|toggle (?:menu|navigation|search)|main menu|menu|close menu|search this site|"
    r"back to top|return to top|top of page|share this (?:page|article)|share on \w+|share|print this page|print|"
    r"was this page (?:helpful|useful)\??.*|is this page useful\??.*|report a problem with this page|(?:yes|no)|"
    r"accept (?:all )?cookies|reject (?:all )?cookies|cookie settings|manage cookies|"
    r"(?:page )?last (?:updated|reviewed|modified):?.{0,40}|related (?:content|pages|links)|you are here:?|"
    r"follow us(?: on .{0,40})?|sign up (?:to|for) (?:our )?(?:email|newsletter).{0,60}|opens in (?:a )?new (?:window|tab))$",
    re.IGNORECASE,
)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_NOTICE = re.compile(r"\b(?:we use|accept|reject|settings|preferences|your (?:device|computer|browser)|analytics)\b", re.IGNORECASE)
_BREADCRUMB = re.compile(r"^(?:home|you are here:?)\s*(?:>|\u203a|\u00bb|/|\|)", re.IGNORECASE)
_CRUMB_SEP = re.compile(r"\s(?:>|\u203a|\u00bb)\s")
_CAPTION = re.compile(r"^(?:image|photo|photograph|picture|caption|illustration|graphic)\s*(?::|-|\u2013)|^(?:a |an )?(?:photo|picture|image|photograph) of\b",
                      re.IGNORECASE)
_FILE_ICON = re.compile(r"\s*\bpdf icon\b\s*(?:PDF\s*\d+\s*[KM]B)?", re.IGNORECASE)
# Word pieces that only ever end a word, never start one: a line-end hyphen before them is a
# soft break ("develop-" + "ment"). Compound second halves ("off", "based", "term") are words.
_SUFFIX_PIECE = re.compile(
    r"^(?:[a-z]{0,4}(?:tion|tions|sion|sions|ment|ments|ness|ity|ities|ance|ances|ence|ences|ency|ancy|ous|ive|ives|ible|able|"
    r"ably|ibly|ally|ical|ically|icant|icantly|ised|ized|ising|izing|isation|ization|ure|ures|ual|ially|tial|cial))$"
)
_COMPOUND_HALF = frozenset(
    "off on up out in based led term year years wide scale level long short time making related funded owned specific wise "
    "free day week month date house site going makers maker year's".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*[A-Za-z]")
# Lower-case words that are whole words even when they sit alone at a line start.
_SHORT_WORDS = frozenset("a an as at be by do go he if in is it me my no of on or so to up us we".split())
# A line ending on one of these stops mid-sentence, whatever the next line starts with ("savings of" / "£3.1m").
_OPEN_ENDING = frozenset("a an the of to for in on at by with from and or but that which who whose is are was were be been "
                         "will would has have had than as its their our including between".split())


_SPACE_BEFORE_MARK = re.compile(r"\s+([,;:!?.])(?=\s|$)")


# A small word run into the capitalised word after it, where a web page's link or a PDF's bold span lost the space
# between them ("proposals for theStrategic Asset Review"). Left glued, the sentence shares too few terms with
# its clean twin for the drafter to see the repeat.
_GLUED_SMALL_WORD = re.compile(r"\b(the|and|of|for|to|in|on|with|by|from|our|their|its|this|that)(?=[A-Z][a-z]{2,})")


def clean_line(line: str) -> str:
    """Whitespace collapsed, none before a comma or full stop ("bookings , with": typed or
    left by extraction; the drafter quotes sentences tidied the same way), and a small word glued to the next parted."""
    return _GLUED_SMALL_WORD.sub(r"\1 ", _SPACE_BEFORE_MARK.sub(r"\1", _SPACES.sub(" ", line))).strip()


def collapse(text: str) -> str:
    """All runs of whitespace, newlines included, to one space."""
    return " ".join(text.split())


def is_page_furniture(line: str) -> bool:
    """A bare page number, 'Page 3 of 10', '- 4 -', or a table-of-contents line with dot leaders."""
    line = line.strip()
    return bool(_PAGE_NUMBER.match(line) or _DOT_LEADER.search(line))


def is_web_furniture(text: str) -> bool:
    """A line or block that is a web page's machinery, not its content."""
    text = clean_line(text)
    if not text:
        return False
    if _WEB_LINE.match(text.rstrip(".!")):
        return True
    if len(text) < 400 and _COOKIE.search(text) and _COOKIE_NOTICE.search(text):
        return True  # "We use cookies to make this site work... Accept all"
    if _BREADCRUMB.match(text) or (len(text) < 200 and len(_CRUMB_SEP.findall(text)) >= 2 and not text.endswith(".")):
        return True  # "Home > Council > Budgets"
    return len(text) < 160 and bool(_CAPTION.match(text))  # "Image: the new depot", "Photo of the leader"


def strip_web_debris(text: str) -> str:
    """Inline leftovers of a saved page: 'Strategic Asset Review pdf icon PDF 544 KB' -> 'Strategic Asset Review'."""
    return _FILE_ICON.sub("", text)


def bullet_text(line: str) -> str | None:
    """The item's text when `line` starts with a list marker, else None."""
    match = _BULLET.match(line)
    if not match or match.end() >= len(line):
        return None
    return line[match.end():].strip() or None


def mask_digits(line: str) -> str:
    return re.sub(r"\d+", "#", clean_line(line)).lower()


def repeated_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked, lower case) that recur on at least half the pages: running headers and footers."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({mask_digits(l) for l in lines if l.strip()})
    threshold = max(2, int(len(pages) * 0.5 + 0.5))
    return {line for line, n in counts.items() if n >= threshold}


class Vocabulary:
    """The words of one document, to tell a soft line-break hyphen from a real one."""

    def __init__(self, texts=()):
        self.words: set[str] = set()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self.words.update(w.lower() for w in _WORD.findall(text))

    def join_hyphenated(self, head: str, tail: str) -> str:
        """`head` ends 'xxx-', `tail` starts the next line: the two as one word, hyphen kept or dropped."""
        left = re.search(r"([A-Za-z]+)-$", head)
        right = re.match(r"([a-z]+)", tail)
        if not left or not right:
            return head + tail
        a, b = left.group(1).lower(), right.group(1)
        if f"{a}-{b}" in self.words:
            return head + tail  # the document writes it hyphenated elsewhere
        if a + b in self.words:
            return head[:-1] + tail  # ... or whole
        if b in _COMPOUND_HALF or len(a) <= 2:
            return head + tail  # a compound ("one-off", "co-design")
        if _SUFFIX_PIECE.match(b):
            return head[:-1] + tail  # a piece no word starts with ("signif-icantly")
        return head + tail


def join_lines(prev: str, line: str, vocab: Vocabulary | None = None) -> str:
    """Two wrapped lines as one: a space between, or a split word rejoined."""
    if re.search(r"[A-Za-z]-$", prev) and line[:1].islower():
        return (vocab or Vocabulary()).join_hyphenated(prev, line)
    if re.search(r"\d-$", prev) and line[:1].isdigit():
        return prev + line  # "2024-" + "25"
    if re.fullmatch(r"[a-z]{1,2}", line.split(" ", 1)[0]) and line.split(" ", 1)[0] not in _SHORT_WORDS and re.search(r"[a-z]$", prev):
        # A narrow table cell wraps a word with no hyphen at all: "Revenu" + "e Budget".
        return prev + line
    return f"{prev} {line}"


@dataclass
class Line:
    """One line as a loader read it."""

    text: str
    page: int | None = None
    heading: bool | None = None  # True/False when the format says (font, tag); None: guess from the text
    gap_before: bool = False  # a blank line or a vertical gap above it: a paragraph may end here
    indent: float | None = None  # left edge, where known (a list item's wrapped lines sit right of its marker)
    item: bool = False  # a list item by markup (an HTML <li>), marker or not


@dataclass
class Unit:
    kind: str  # "heading" or "para"
    text: str
    page: int | None = None


def _ends(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).endswith(_TERMINAL)


def _introduces(text: str) -> bool:
    """A paragraph that leads into a list: it ends with a colon, or is left unfinished on a
    plain word ("The savings will come from"). One ending with a full stop says all it has to say."""
    text = text.rstrip().rstrip(_CLOSERS)
    return text.endswith(":") or bool(re.search(r"(?:^|\s)[a-z]+$", text))  # not a URL, a figure or a title


def looks_like_heading(line: str, next_line: str | None = None, max_len: int = 90) -> bool:
    """A short line with no closing punctuation, followed by a fresh start, that reads like a title.

    Either ALL CAPS, numbered ('2. What phase one delivered'), or a few words.
    """
    text = line.strip()
    if not text or len(text) > max_len or _ends(text) or text.endswith(","):
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


def paragraphs(lines: list[Line], skip: set[str] = frozenset(), vocab: Vocabulary | None = None,
               max_heading_len: int = 90) -> list[Unit]:
    """Headings and paragraphs (lists with their lead-in) from lines in reading order.

    `skip`: digit-masked lines to drop (running headers and footers, see repeated_lines).
    """
    if vocab is None:
        vocab = Vocabulary(l.text for l in lines)
    units: list[Unit] = []
    current: Unit | None = None  # the paragraph or list being built
    items: list[str] | None = None  # the open list's items, when `current` is a list
    item_indent: float | None = None

    def close() -> None:
        nonlocal current, items
        if current is not None:
            if items is not None and not current.text:
                # No sentence introduces these items: each stands alone, as a paragraph of its own.
                units.extend(Unit("para", BULLET_MARK + i, current.page) for i in items)
            elif items is not None:
                current.text = "\n".join([current.text] + [BULLET_MARK + i for i in items])
                units.append(current)
            elif current.text:
                units.append(current)
        current, items = None, None

    cleaned = [(clean_line(strip_web_debris(l.text)), l) for l in lines]
    cleaned = [(t, l) for t, l in cleaned if t and mask_digits(t) not in skip and not is_page_furniture(t) and not is_web_furniture(t)]
    for i, (text, line) in enumerate(cleaned):
        nxt = cleaned[i + 1][0] if i + 1 < len(cleaned) else None
        open_text = (items[-1] if items else current.text) if current is not None else ""
        # A sentence left open, then a lower-case start: the same sentence, whatever gap came between.
        same_sentence = bool(open_text) and not _ends(open_text) and (
            text[:1].islower() or open_text.rsplit(" ", 1)[-1].lower() in _OPEN_ENDING)
        heading = line.heading
        if heading is None:
            heading = (not open_text or _ends(open_text) or line.gap_before) and looks_like_heading(text, nxt, max_heading_len)
        if heading and not same_sentence:
            close()
            if units and units[-1].kind == "heading" and not line.gap_before and units[-1].page == line.page \
                    and not _ends(units[-1].text):
                units[-1].text = join_lines(units[-1].text, text, vocab)  # a heading wrapped over two lines
            else:
                units.append(Unit("heading", text, line.page))
            continue
        item = bullet_text(text)
        if item is not None and _DASH_MARKER.match(text) and items is None and open_text and not _ends(open_text) \
                and not line.gap_before:
            item = None  # "costs rose sharply\n– and fell again": a dash inside a sentence, not a list
        if item is None and line.item:
            item = text
        if item is not None:
            if items is None:
                lead = current if current is not None and _introduces(current.text) else None
                if current is not None and lead is None:
                    close()
                elif lead is None and units and units[-1].kind == "para" and "\n" not in units[-1].text \
                        and _introduces(units[-1].text) and (units[-1].page == line.page or units[-1].text.endswith(":")):
                    lead = units.pop()  # the sentence that introduces the list, even across a gap
                current, items = lead or Unit("para", "", line.page), []
            items.append(item)
            item_indent = line.indent
            continue
        if items is not None:
            # A list item's wrapped lines hang right of its marker; a line back at the marker or the margin ends the list.
            in_item = not line.gap_before and (item_indent is None or line.indent is None or line.indent > item_indent + 2)
            if in_item or same_sentence:
                items[-1] = join_lines(items[-1], text, vocab)
                continue
        elif current is not None and (not line.gap_before or same_sentence):
            current.text = join_lines(current.text, text, vocab)
            continue
        close()
        current = Unit("para", text, line.page)
    close()
    return units
