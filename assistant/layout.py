"""How much of a page the DOCX export prints for a given text: the page meter's model.

Fitted on LibreOffice renders of the export (A4, 2.54 cm margins, Arial 11 pt body,
references at 9 pt one line each) for the plans drafted from every eval dataset:
the sample corpus, the injection corpus, the seed reports and seven real councils,
whole and cut to 50% and 75% (docs/pages.md). A paragraph prints
ceil(characters / BODY_CHARS_PER_LINE) lines; headings and the title are fixed
heights. Tokens alone cannot do this: characters per token run from 4.3 (the sample
corpus, dense with figures) to 5.2 (real councils' prose), so one tokens-per-page
figure was off by up to 0.22 of a page; this model is within 0.05 on every render.
"""

from __future__ import annotations

import math

from assistant.render import LIST_MARK

# Measured, in fractions of a page (see the module docstring); change them with the export's styles.
BODY_CHARS_PER_LINE = 88
BODY_LINE = 0.0230
PARAGRAPH_GAP = 0.0041
TITLE = 0.070
SECTION_HEADING = 0.072
REFERENCE_LINE = 0.0155
REFERENCES_HEADING = 0.050
# A list item prints as Word's "List Bullet" paragraph: indented, and with contextual spacing (no gap between items).
# Fitted like the body's constants, on LibreOffice renders of the seven real councils' plans with every sentence
# printed as a list item: worst 0.06 pages (docs/pages.md). Each item wastes part of its last line, so the fit holds
# more characters to a line than a running paragraph's 88.
LIST_CHARS_PER_LINE = 92
LIST_ITEM = -0.0010


def paragraph_pages(text: str) -> float:
    text = text.strip()
    return PARAGRAPH_GAP + BODY_LINE * math.ceil(len(text) / BODY_CHARS_PER_LINE) if text else 0.0


def list_item_pages(text: str) -> float:
    text = text.strip()
    return LIST_ITEM + BODY_LINE * math.ceil(len(text) / LIST_CHARS_PER_LINE) if text else 0.0


def body_pages(body: str) -> float:
    """A section's body as `render.section_body` gives it: paragraphs separated by blank lines, a list's items on
    lines of their own. Each printed paragraph or item is counted in whole lines."""
    return sum(list_item_pages(line[len(LIST_MARK):]) if line.startswith(LIST_MARK) else paragraph_pages(line)
               for block in body.split("\n\n") for line in block.split("\n"))


def section_pages(body: str) -> float:
    return SECTION_HEADING + body_pages(body)


def references_pages(entries: int) -> float:
    return REFERENCES_HEADING + REFERENCE_LINE * entries if entries else 0.0
