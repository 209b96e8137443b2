"""PDF loader (pdfplumber): prose paragraphs and table rows, each with its 1-based physical page.

pypdf first checks the file opens (encryption, corruption) and reads its metadata title; then
pdfplumber reads each page's words with their positions and fonts, so that tables become rows
(see pdf_tables), two-column pages read column by column, headings are told by font, and
running headers, footers and page numbers are dropped before the prose is rebuilt by the shared
rules of assistant.ingest.normalise.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from pathlib import Path

from assistant.ingest.normalise import Line, Vocabulary, is_page_furniture, mask_digits, paragraphs, repeated_lines
from assistant.records import PROSE, TABLE, Block, LoadedDocument

from . import register
from .errors import LoadError
from .layout import plausible_title, title_from_filename
from .pdf_layout import PLine, Word, group_lines, load_objects, page_words, reading_order
from .pdf_tables import Table, aligned_tables, row_parts, ruled_tables

log = logging.getLogger(__name__)

MARGIN = 0.1  # running headers and footers sit in the top and bottom tenth of a page
# Metadata titles that name the template, not the document.
_GENERIC_TITLE = re.compile(r"^(?:the )?(?:report|document|minutes|agenda|appendix(?: [a-z0-9]{1,2})?|draft|title|slide \d+|)$", re.IGNORECASE)


def _check_and_title(path: Path) -> str | None:
    """Refuse what cannot be read, with a reason a user can act on; the metadata title if any."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns per odd object; we report per file
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many council PDFs are "encrypted" with an empty user password only to stop editing.
            try:
                if not reader.decrypt(""):
                    raise LoadError(path, "the PDF is password-protected; save an unprotected copy and ingest that")
            except LoadError:
                raise
            except Exception as exc:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                raise LoadError(path, f"the PDF is encrypted and could not be opened ({exc})") from exc
        if len(reader.pages) == 0:
            raise LoadError(path, "the PDF has no pages")
        title = plausible_title(reader.metadata.title if reader.metadata else None)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, RecursionError) as exc:
        raise LoadError(path, f"not a readable PDF ({type(exc).__name__}: {exc}); check the file opens in a PDF viewer") from exc
    return None if title is None or _GENERIC_TITLE.match(title.strip()) else title


class _Page:
    """One page's words and tables, read once; prose lines are placed after the whole document is seen."""

    def __init__(self, number: int, page, carried_header):
        self.number = number
        self.width, self.height = float(page.width), float(page.height)
        load_objects(page)
        self.words = page_words(page)
        self.tables: list[Table] = ruled_tables(page, carried_header)
        self.words = [w for w in self.words if not any(t.contains(w) for t in self.tables)]
        edges = page.edges
        self.rules = [(e["top"], e["x0"], e["x1"]) for e in edges if e.get("orientation") == "h" and e["x1"] - e["x0"] > 4]
        # Dividers: drawn lines or hairline boxes a quarter of the page high (a filled bar's sides are not).
        self.vertical_rules = sorted({round(o["x0"]) for o in page.lines + page.rects
                                      if o["x1"] - o["x0"] < 2 and o["bottom"] - o["top"] > self.height * 0.25})

    def margin_lines(self) -> list[str]:
        self.lines = group_lines(self.words)  # kept for drop_furniture
        return [l.text for l in self.lines if l.bottom < self.height * MARGIN or l.top > self.height * (1 - MARGIN)]

    def drop_furniture(self, furniture: set[str]) -> None:
        """Lines in the margins that recur on most pages, 'Page 5 of 54' and contents dot leaders
        anywhere, and bare numbers in the margins (in the body a lone "4" may be a table's cell)."""
        keep: list[Word] = []
        for line in self.lines:
            in_margin = line.bottom < self.height * MARGIN or line.top > self.height * (1 - MARGIN)
            if in_margin and mask_digits(line.text) in furniture:
                continue
            for phrase in line.phrases:
                if not is_page_furniture(phrase.text) or not in_margin and phrase.text.isdigit():
                    keep.extend(phrase.words)
        self.words = keep


def _body_style(pages: list[_Page]) -> tuple[float, bool]:
    """The font size and weight most of the document's words are set in."""
    sizes: Counter[float] = Counter()
    bold: Counter[bool] = Counter()
    for page in pages:
        for w in page.words:
            sizes[round(w.size * 2) / 2] += len(w.text)
            bold[w.bold] += len(w.text)
    return (sizes.most_common(1)[0][0] if sizes else 10.0), (bold.most_common(1)[0][0] if bold else False)


def _is_heading(line: PLine, body_size: float, body_bold: bool) -> bool:
    text = line.text
    words = len(text.split())
    if words > 20 or not any(c.isalpha() for c in text) or text.rstrip().endswith((".", ",", ";")) and words > 3:
        return False
    if line.tabular or sum(any(c.isdigit() for c in w) for w in text.split()) > 2:
        return False  # a table's total row set in bold is not a heading
    if line.size >= body_size + 1.5:
        return True
    return line.bold and not body_bold and words <= 15 and line.size >= body_size - 0.5


def _prose_lines(page: _Page, lines: list[PLine], body_size: float, body_bold: bool, font_headings: bool,
                 previous: PLine | None = None) -> list[Line]:
    """The page's prose lines for normalise.paragraphs, each marked where a paragraph may break.
    `previous`: the last prose line of the page before."""
    right = max((l.x1 for l in lines), default=page.width)
    left = min((l.x0 for l in lines), default=0.0)
    out: list[Line] = []
    for line in lines:
        # At the head of a column or a page, an unfinished sentence goes on; a finished one
        # ends its paragraph.
        gap = previous is None or previous.text.rstrip().rstrip("\"'\u201d\u2019)").endswith((".", "!", "?", ":", ";")) \
            or abs(line.size - previous.size) > 1
        if previous is not None and line.top >= previous.top:
            spacing = line.top - previous.bottom
            short = previous.x1 < right - 0.15 * (right - left) and previous.text.rstrip().endswith((".", ":", "!", "?"))
            gap = spacing > 0.6 * max(line.size, 1) or short or abs(line.size - previous.size) > 1
        heading = _is_heading(line, body_size, body_bold) if font_headings else None
        out.append(Line(line.text, page=page.number, heading=heading, gap_before=gap, indent=line.x0))
        previous = line
    return out


@register(".pdf")
def load_pdf(path: Path) -> LoadedDocument:
    import pdfplumber

    meta_title = _check_and_title(path)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    pages: list[_Page] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            carried = None
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(_Page(number, page, carried))
                last = pages[-1].tables[-1:] if pages[-1].tables else []
                carried = last[0].rows[0] if last and last[0].header else None
                page.close()  # pdfplumber caches every page's objects; a 300-page report needs them freed
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types (PDFSyntaxError, PSException, ...) for broken streams
        raise LoadError(path, f"not a readable PDF ({type(exc).__name__}: {exc}); check the file opens in a PDF viewer") from exc

    furniture = repeated_lines([p.margin_lines() for p in pages])
    for page in pages:
        page.drop_furniture(furniture)
    body_size, body_bold = _body_style(pages)
    vocab = Vocabulary(w.text for p in pages for w in p.words)

    # Headings are told by font where the document varies its fonts; otherwise by the old text rules.
    ordered: list[tuple[_Page, list[PLine], list[Table]]] = []
    for page in pages:
        lines = reading_order(page.words, page.width, page.vertical_rules)
        found = aligned_tables(lines, page.rules, page.width)
        taken = {id(l) for table, run in found for l in run}
        tables = page.tables + [table for table, _ in found]
        ordered.append((page, [l for l in lines if id(l) not in taken], tables))
    font_headings = any(_is_heading(l, body_size, body_bold) for _, lines, _ in ordered for l in lines)

    blocks: list[Block] = []
    heading = ""
    first_heading: str | None = None
    pending: list[Line] = []

    def flush() -> None:
        nonlocal heading, first_heading
        for unit in paragraphs(pending, vocab=vocab):
            if unit.kind == "heading":
                heading = unit.text
                first_heading = first_heading or unit.text
            else:
                blocks.append(Block(text=unit.text, page=unit.page, heading=heading))
        pending.clear()

    last_line: PLine | None = None
    for page, lines, tables in ordered:
        prose = _prose_lines(page, lines, body_size, body_bold, font_headings, last_line)
        last_line = lines[-1] if lines else last_line
        # A table is read where it stands: after the prose lines above it, under the heading in force.
        at = {}
        for table in sorted(tables, key=lambda t: t.bbox[1]):
            at.setdefault(next((i for i, l in enumerate(lines) if l.top > table.bbox[1]), len(lines)), []).append(table)
        for i in range(len(prose) + 1):
            for table in at.get(i, []):
                flush()
                for text, sentences in row_parts(table):
                    if text:
                        blocks.append(Block(text=text, page=page.number, heading=heading, form=TABLE))
                    # A cell of sentences is read as prose, just after the row it explains.
                    blocks.extend(Block(text=cell, page=page.number, heading=heading, form=PROSE) for cell in sentences)
            if i < len(prose):
                pending.append(prose[i])
    flush()

    cover = _title_from_first_page(ordered)
    if meta_title and cover and set(meta_title.lower().split()) <= set(cover.lower().split()):
        meta_title = None  # the cover says the same, in full and cased as printed ("FinancE MONITORING REPORT")
    title = meta_title or cover or first_heading or title_from_filename(path) or path.name
    return LoadedDocument(source=str(path), title=title, kind="pdf", blocks=blocks, page_count=len(pages))


def _title_from_first_page(ordered) -> str | None:
    """The largest text in the top half of the first page with text: a report's cover title."""
    for page, lines, _ in ordered:
        lines = [l for l in lines if any(c.isalpha() for c in l.text) and l.top < page.height / 2]
        if not lines:
            continue
        biggest = max(l.size for l in lines)
        if biggest < statistics.median(l.size for l in lines) + 2:
            return None  # nothing stands out: no cover title
        parts = [l.text for l in lines if l.size >= biggest - 0.5][:3]
        title = " ".join(parts)
        return title.title() if title.isupper() else title[:200]
    return None
