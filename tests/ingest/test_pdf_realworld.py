"""The PDF loader on real Kent County Council reports (../shared/realworld/kent; skipped when absent).

Nothing of the documents is copied here: the assertions name short phrases and figures only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest.loaders import load
from assistant.records import PROSE, TABLE
from evals.realworld import realworld_dir

KENT = realworld_dir() / "kent"
pytestmark = pytest.mark.skipif(not KENT.is_dir(), reason="the real-world set (../shared/realworld) is not here")
# What pypdf made of the tables' wrapped column titles, glued into pseudo-sentences.
SPLIT_HEADER = re.compile(r"Revenu e|Forecas t|Varianc e")


def _span(texts, fragments, length):
    """The first run of one block's text that holds `fragments` in order and is exactly `length` characters long (a
    sentence of the document, named by a few of its words and its length rather than copied), or None. A word
    dropped, a footer or table cell glued in, or the sentence cut across two blocks changes or breaks the run."""
    pattern = re.compile(".*?".join(re.escape(f) for f in fragments))
    for text in texts:
        for start in (m.start() for m in re.finditer(re.escape(fragments[0]), text)):
            m = pattern.match(text, start)
            if m and m.end() - m.start() == length:
                return text, m
    return None


@pytest.fixture(scope="module")
def monitoring():
    return load(KENT / "budget_finance_monitoring_report_q3_nov_2024_25.pdf")


def test_monitoring_tables_are_table_rows_with_headers(monitoring):
    rows = [b for b in monitoring.blocks if b.form == TABLE]
    assert len(rows) > 100
    directorate = [b for b in rows if b.page == 6 and b.text.startswith("Adult Social Care & Health;")]
    assert directorate and "Budget: 586.1" in directorate[0].text and "Forecast: 621.6" in directorate[0].text
    service = [b for b in rows if b.page == 8 and "Older People - Residential Care Services" in b.text]
    assert service and "Revenue Budget: 97.5" in service[0].text and "Revenue Variance: +27.4" in service[0].text


def test_monitoring_prose_has_no_table_debris(monitoring):
    for block in monitoring.blocks:
        assert not SPLIT_HEADER.search(block.text), block
        if block.form == PROSE:
            assert "586.1" not in block.text and "Page 5 of 54" not in block.text, block


def test_monitoring_narrative_sentences_intact_on_their_page(monitoring):
    prose = {b.page: [] for b in monitoring.blocks}
    for b in monitoring.blocks:
        if b.form == PROSE:
            prose[b.page].append(b.text)
    # The headline figure's sentence (130 characters) and the growth sentence (131) whole, inside one block each.
    assert _span(prose[5], ("The forecast revenue", "+£23.3m (excluding schools)", "revenue budget."), 130)
    assert _span(prose[3], ("Forecast spending growth", "savings and income", "the budget."), 131)
    # The headline bullets follow a paragraph that ends with a full stop (it does not introduce them): each stands alone,
    # a block of its own (78 characters) with nothing run into it.
    bullet = _span(prose[3], ("\u2022 The Council", "£23.3m (excluding schools)"), 78)
    assert bullet and bullet[1].start() == 0 and bullet[1].end() == len(bullet[0])
    assert monitoring.title == "Finance Monitoring Report" and monitoring.page_count == 54


def test_no_running_footers_in_any_kent_pdf():
    for path in sorted(KENT.glob("*.pdf")):
        doc = load(path)
        assert doc.blocks, path
        for block in doc.blocks:
            assert not re.search(r"\bPage \d+ of \d+\b", block.text), (path.name, block)
