"""Tables on a PDF page, as rows a reader can cite: "Header A: cell; Header B: cell".

Two kinds are found. Ruled tables (cell borders drawn) come from pdfplumber's line strategy.
Council reports also set many tables with no vertical rules at all, only columns of aligned
text and perhaps a rule between rows; pdfplumber's text strategy cuts those through words
("Revenu e Forecas t"), so they are found here instead: a run of lines that break into
phrases at the same x positions, with the column gutters taken where no phrase of the run
crosses. Either way the table's words are taken out of the page's prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.normalise import clean_line, join_lines

from .pdf_layout import PLine, Word

_HEADER_CELL_WORDS = 8


@dataclass
class Table:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[list[str]]  # cells, header row first when there is one
    header: bool  # whether rows[0] is a header

    def contains(self, word: Word) -> bool:
        x0, top, x1, bottom = self.bbox
        cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def _cell_text(value: str | None) -> str:
    """A cell's lines joined: wrapped words rejoined, whitespace collapsed."""
    text = ""
    for line in (value or "").split("\n"):
        line = clean_line(line)
        if line:
            text = join_lines(text, line) if text else line
    return text


def looks_like_header(cells: list[str]) -> bool:
    """Column titles: at least two, each a few words, not sentences or figures."""
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    for cell in filled:
        if len(cell.split()) > _HEADER_CELL_WORDS or cell.endswith(".") or re.fullmatch(r"[\d\s,.\u00a3%()+\-\u2013m]+", cell):
            return False
        if re.match(r"^\d+(?:\.\d+)+\s", cell):  # "2.1 Note the forecast..." is a row, not a title
            return False
    return True


def is_prose_cell(cell: str) -> bool:
    """A cell that holds sentences (a risk's cause, a variance explained): prose set in a table."""
    return len(cell.split()) >= 20 and cell.rstrip().rstrip(")\"'\u201d").endswith(".") and cell[:1].isupper()


def row_parts(table: Table) -> list[tuple[str, list[str]]]:
    """Each data row as "Header: cell; Header: cell" (empty cells skipped; cells joined by "; "
    where a column has no header, or the table none at all), with the cells that are prose
    taken out of it to be read as paragraphs: each cell's text is in exactly one of the two."""
    header = table.rows[0] if table.header else []
    out = []
    for row in table.rows[1:] if table.header else table.rows:
        if header and row == header:
            continue  # a header repeated on a page of its own
        parts, prose = [], []
        for i, cell in enumerate(row):
            if not cell:
                continue
            if is_prose_cell(cell):
                prose.append(cell)
                continue
            name = header[i] if i < len(header) else ""
            parts.append(f"{name}: {cell}" if name and name != cell else cell)
        if parts or prose:
            out.append(("; ".join(parts), prose))
    return out


def row_texts(table: Table) -> list[str]:
    """The rows' table text alone (see row_parts)."""
    return [text for text, _ in row_parts(table) if text]


def _make_table(bbox, rows: list[list[str]], carried_header: list[str] | None = None) -> Table | None:
    rows = [r for r in rows if any(r)]
    used = [i for i in range(max((len(r) for r in rows), default=0)) if any(i < len(r) and r[i] for r in rows)]
    if len(rows) < 2 or len(used) < 2:
        return None  # a box around a paragraph, or a one-column list: prose, not a table
    rows = [[r[i] if i < len(r) else "" for i in used] for r in rows]
    while rows and sum(1 for c in rows[0] if c) == 1 and len(rows) > 2 and looks_like_header(rows[1]):
        rows = rows[1:]  # a caption across the top ("All figures in £m") is not a column title
    if looks_like_header(rows[0]):
        return Table(bbox, rows, header=True)
    if carried_header is not None and len(carried_header) == len(rows[0]):
        return Table(bbox, [carried_header] + rows, header=True)  # the table goes on from the page before
    return Table(bbox, rows, header=False)


def ruled_tables(page, carried_header: list[str] | None = None) -> list[Table]:
    """Tables whose cells have drawn borders."""
    found = []
    for table in page.find_tables():
        rows = [[_cell_text(c) for c in row] for row in table.extract()]
        made = _make_table(table.bbox, rows, carried_header if not found else None)
        if made is not None:
            found.append(made)
    return found


def _columns(lines: list[PLine]) -> list[tuple[float, float]]:
    """Column spans: x ranges that the words of the tabular lines cover. A strip crossed by few
    of them (a header or a caption wider than its column) still separates two columns."""
    tabular = [l for l in lines if l.tabular]
    if not tabular:
        return []
    x_min, x_max = int(min(l.x0 for l in tabular)), int(max(l.x1 for l in tabular)) + 1
    cover = [0] * (x_max - x_min + 1)
    for line in tabular:
        # Runs of words set tight together: a phrase can bridge a narrow gutter ("+9.0 levels, and"),
        # while a justified cell's wider spaces fall at different places on each of its lines.
        runs: list[list[float]] = []
        for word in line.words:
            if runs and word.x0 - runs[-1][1] <= 0.6 * max(word.size, 1):
                runs[-1][1] = word.x1
            else:
                runs.append([word.x0, word.x1])
        for x0, x1 in runs:
            for x in range(int(x0) - x_min, int(x1) - x_min + 1):
                cover[x] += 1
    limit = len(tabular) // 6
    columns: list[list[float]] = []
    for offset, count in enumerate(cover):
        if count > limit:
            if columns and x_min + offset <= columns[-1][1] + 3:
                columns[-1][1] = x_min + offset
            else:
                columns.append([x_min + offset, x_min + offset])
    return [(a, b) for a, b in columns]


def _column_of(word: Word, columns: list[tuple[float, float]]) -> int:
    centre = (word.x0 + word.x1) / 2
    for i, (x0, x1) in enumerate(columns):
        if x0 - 2 <= centre <= x1 + 2:
            return i
    return min(range(len(columns)), key=lambda i: min(abs(centre - columns[i][0]), abs(centre - columns[i][1])))


def _cells_of(line: PLine, columns) -> list[str]:
    cells = [""] * len(columns)
    for word in line.words:
        i = _column_of(word, columns)
        cells[i] = f"{cells[i]} {word.text}" if cells[i] else word.text
    return cells


def _merge(into: list[str], cells: list[str]) -> None:
    for i, cell in enumerate(cells):
        if cell:
            into[i] = join_lines(into[i], cell) if into[i] else cell


def _has_figure(line: PLine) -> bool:
    return any(p.is_figure for p in line.phrases)


def rule_ys(edges, x0: float, x1: float) -> list[float]:
    """The y of horizontal rules under at least half of the span x0..x1 (cell borders drawn
    cell by cell are joined up first)."""
    by_y: dict[float, list[tuple[float, float]]] = {}
    for y, a, b in edges:
        by_y.setdefault(round(y), []).append((max(a, x0), min(b, x1)))
    ys = []
    for y, segments in by_y.items():
        covered = sum(max(0.0, b - a) for a, b in segments)
        if covered >= 0.5 * (x1 - x0):
            ys.append(float(y))
    return sorted(ys)


def aligned_tables(lines: list[PLine], edges, width: float) -> list[tuple[Table, list[PLine]]]:
    """Tables set as aligned columns of text, each with the lines it was read from.
    `lines` are in reading order; `edges`: the page's horizontal rules as (y, x0, x1)."""
    found: list[tuple[Table, list[PLine]]] = []
    i = 0
    while i < len(lines):
        if not lines[i].tabular:
            i += 1
            continue
        run = [lines[i]]
        j = i + 1
        while j < len(lines):
            line, last = lines[j], run[-1]
            size = max(last.size, 6)
            if line.top < last.top - 1 or line.top - last.bottom > 2.5 * size:
                break  # the next column, or a gap wider than a row's
            if not line.tabular and line.top - last.top > 0.8 * size:
                left = min(l.x0 for l in run)
                right = max([l.x1 for l in run] + [b for y, a, b in edges if run[0].top - 3 * size < y < line.top and a < left + 5])
                if line.x0 <= left + 2 or line.x1 > right + 5:
                    break  # a line of prose back at the margin or past the table's edge: the table has ended
            run.append(line)
            j += 1
        while run and not run[-1].tabular and run[-1].x0 <= min(l.x0 for l in run) + 0.2 * width:
            run.pop()
        table = _aligned_table(run, edges) if sum(l.tabular for l in run) >= 2 else None
        if table is not None:
            found.append((table, run))
            i += len(run)
        else:
            i += 1
    return found


def _header_lines(run: list[PLine]) -> int:
    """How many leading lines make the header: the bold ones, or those before the first figures (up to three)."""
    n = 0
    if run[0].bold:
        while n < min(len(run), 8) and run[n].bold and not _has_figure(run[n]):
            n += 1
    else:
        while n < min(len(run), 3) and not _has_figure(run[n]):
            n += 1
    if n == len(run) or not any(_has_figure(l) for l in run[n:]):
        n = 1  # a table of words: its first line is the only header it can have
    return n


def _aligned_table(run: list[PLine], edges) -> Table | None:
    if not any(_has_figure(l) for l in run) and max(len(l.phrases) for l in run) <= 2:
        return None  # a side heading beside its paragraph, or "By: name": prose laid out wide, not a table
    n_head = _header_lines(run)
    # Gutters from the body: column titles are often centred, and wider than the figures under them.
    columns = _columns(run[n_head:]) if sum(l.tabular for l in run[n_head:]) >= 2 else _columns(run)
    if len(columns) < 2:
        return None
    x0, x1 = min(l.x0 for l in run), max(l.x1 for l in run)
    top, bottom = run[0].top, run[-1].bottom
    rules = [y for y in rule_ys(edges, x0, x1) if top + 1 < y < bottom - 1]
    header = [""] * len(columns)
    for line in run[:n_head]:
        _merge(header, _cells_of(line, columns))
    rows: list[list[str]] = [header]
    row_bottom: float | None = None
    for line in run[n_head:]:
        cells = _cells_of(line, columns)
        if row_bottom is None:
            new_row = True
        elif rules:
            new_row = any(row_bottom - 1 < y < line.top + 1 for y in rules)
        else:
            # Without rules, rows are told apart by the padding between them, or by a line that
            # fills cells the row already has (a dense table of one-line rows).
            filled = [i for i, c in enumerate(cells) if c]
            clash = len(filled) >= 2 and all(rows[-1][i] for i in filled) and not cells[filled[0]][:1].islower()
            new_row = line.top - row_bottom > 0.45 * line.size or clash
        if new_row:
            rows.append(cells)
        else:
            _merge(rows[-1], cells)
        row_bottom = line.bottom if row_bottom is None or new_row else max(row_bottom, line.bottom)
    return _make_table((x0, top, x1, bottom), rows)
