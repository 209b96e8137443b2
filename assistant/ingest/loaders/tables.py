"""Tables from any format as the same cited passages: each row with its column titles, "Title: cell; Title: cell".

PDF tables are found from the page's layout (pdf_tables.py); DOCX and HTML say where their
tables are. Either way a table ends up as TABLE blocks, one per row: evidence whose figures
verification can use and a reader can cite, never drafted as a sentence. A cell of sentences
(a risk explained, a variance's cause) is prose set in a table and is read as a paragraph.
"""

from __future__ import annotations

from assistant.records import PROSE, TABLE, Block

from .pdf_tables import _make_table, row_parts

_NO_BOX = (0.0, 0.0, 0.0, 0.0)


def table_blocks(rows: list[list[str]], heading: str = "", page: int | None = None) -> list[Block]:
    """A table's rows (cells already cleaned, header row first if it has one) as blocks, in order."""
    rows = [list(r) for r in rows if any(r)]
    table = _make_table(_NO_BOX, rows)
    if table is None:
        # One column, or one row: a boxed paragraph or a list set as a table, so its cells are prose.
        return [Block(text=cell, page=page, heading=heading, form=PROSE) for row in rows for cell in row if cell]
    blocks = []
    for text, sentences in row_parts(table):
        if text:
            blocks.append(Block(text=text, page=page, heading=heading, form=TABLE))
        blocks.extend(Block(text=cell, page=page, heading=heading, form=PROSE) for cell in sentences)
    return blocks
