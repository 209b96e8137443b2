"""The PDF loader on a report laid out as real ones are: running header and footer, a bold
heading, a ruled table, a list with its lead-in, a word hyphenated at a line end, two columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import load
from assistant.records import PROSE, TABLE

HEADER = "Harbourside Council - Budget Monitoring Q3"
CROSSING = ("The harbour dredging contract was renegotiated in 2023 and now costs 180,000 pounds a year less, "
            "which the Council will put towards the sea wall repairs due in 2026.")


def _report(path: Path) -> Path:
    """Three pages, each line placed by hand so the line breaks are exactly where a test needs them."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(0, 8, HEADER, align="R")
            self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Report(format="A4")
    pdf.set_auto_page_break(False)

    def lines(x: float, y: float, texts: list[str], width: float = 170, step: float = 6) -> float:
        pdf.set_font("Helvetica", size=11)
        for text in texts:
            pdf.set_xy(x, y)
            pdf.cell(width, step, text)
            y += step
        return y + 4

    # Page 1: a heading, a paragraph with a soft hyphen at a line end, a list, a ruled table.
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 30)
    pdf.cell(170, 10, "Revenue Budget Position")
    y = lines(20, 45, [
        "The forecast revenue position has improved signif-",
        "icantly since the second quarter, and the one-off savings agreed",
        "for 2024-25 have now been delivered in full.",
    ])
    y = lines(20, y, ["The council will:"])
    pdf.set_font("Helvetica", size=11)
    for item in ("reduce agency spend by 1.2 million pounds", "close two offices in the town centre"):
        pdf.set_xy(25, y)
        pdf.cell(5, 6, "-")
        pdf.set_xy(31, y)
        pdf.cell(150, 6, item)
        y += 6
    y = lines(20, y + 4, ["The table below sets out the forecast for each service area this year."])
    pdf.set_xy(20, y)
    pdf.set_font("Helvetica", size=10)
    with pdf.table(width=170, col_widths=(70, 50, 50), text_align="LEFT", first_row_as_headings=True) as table:
        for row in (("Service", "Revenue Budget", "Forecast Variance"), ("Adult Social Care", "586.1", "+35.4"),
                    ("Highways and Transport", "202.9", "+6.3"), ("Libraries", "12.4", "-0.8")):
            cells = table.row()
            for value in row:
                cells.cell(value)

    # Page 2: two columns; a sentence runs from the foot of the left column to the head of the right.
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 30)
    pdf.cell(170, 10, "Capital Programme")
    left = ["The capital programme for the year is", "worth 48 million pounds across forty", "schemes in the county.", "",
            "Most schemes are on time and within", "their approved budgets this quarter.", "",
            "The harbour dredging contract was", "renegotiated in 2023 and now costs", "180,000 pounds a year less, which the"]
    right = ["Council will put towards the sea wall", "repairs due in 2026.", "",
             "Two schemes have slipped into next", "year because of contractor delays, and", "their budgets will be carried forward.", "",
             "Members will receive a full report on", "the programme at the March meeting."]
    for column, x in ((left, 20), (right, 110)):
        y = 45
        pdf.set_font("Helvetica", size=11)
        for text in column:
            if text:
                pdf.set_xy(x, y)
                pdf.cell(80, 6, text)
            y += 6

    # Page 3: a plain closing paragraph, so the running header recurs on three pages.
    pdf.add_page()
    lines(20, 30, ["Reserves stand at 43 million pounds, which is within the range the Council has set itself."])
    pdf.set_title("Budget Monitoring Report Q3")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return load(_report(tmp_path_factory.mktemp("pdf") / "monitoring.pdf"))


def _with(doc, phrase, form=None):
    return [b for b in doc.blocks if phrase in b.text and (form is None or b.form == form)]


def test_table_rows_carry_their_column_headers(report):
    rows = [b for b in report.blocks if b.form == TABLE]
    assert [b.text for b in rows] == [
        "Service: Adult Social Care; Revenue Budget: 586.1; Forecast Variance: +35.4",
        "Service: Highways and Transport; Revenue Budget: 202.9; Forecast Variance: +6.3",
        "Service: Libraries; Revenue Budget: 12.4; Forecast Variance: -0.8",
    ]
    assert {b.page for b in rows} == {1} and {b.heading for b in rows} == {"Revenue Budget Position"}
    assert not _with(report, "586.1", PROSE), "table text must not also appear as prose"


def test_soft_hyphen_is_rejoined_and_real_hyphens_kept(report):
    para = _with(report, "forecast revenue position")[0]
    assert para.text == ("The forecast revenue position has improved significantly since the second quarter, and the one-off "
                         "savings agreed for 2024-25 have now been delivered in full.")
    assert para.heading == "Revenue Budget Position" and para.page == 1


def test_list_items_sit_under_their_lead_in(report):
    block = _with(report, "The council will:")[0]
    assert block.text == "The council will:\n\u2022 reduce agency spend by 1.2 million pounds\n\u2022 close two offices in the town centre"
    assert block.form == PROSE


def test_two_columns_read_left_then_right_and_sentence_crosses_the_gutter(report):
    texts = [b.text for b in report.blocks if b.page == 2]
    assert any(CROSSING in t for t in texts), texts
    order = [next(i for i, t in enumerate(texts) if phrase in t)
             for phrase in ("capital programme for the year", "Most schemes", "harbour dredging", "Two schemes", "Members will")]
    assert order == sorted(order)
    assert all("\n" not in t for t in texts), "ordinary paragraphs hold no newline"
    assert _with(report, "Two schemes")[0].heading == "Capital Programme"


def test_running_header_footer_and_page_numbers_are_dropped(report):
    for block in report.blocks:
        assert HEADER not in block.text and "Page " not in block.text, block
    assert "Capital Programme" not in {b.text for b in report.blocks}, "a heading is not a paragraph"
    assert [b.page for b in _with(report, "Reserves stand")] == [3]


def test_title_and_page_count(report):
    assert report.title == "Budget Monitoring Report Q3" and report.page_count == 3
