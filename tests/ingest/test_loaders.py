"""Each loader on its format: text, page numbers, headings, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.records import PROSE, TABLE

from assistant.ingest.loaders import LoadError, load
from tests.conftest import CORPUS
from tests.filemakers import encrypt_pdf, make_docx, make_pdf

PAGES = [
    ["# Budget summary", "The net revenue budget for 2024/25 is 24.6 million pounds and the general fund reserve is 3 million pounds."],
    ["The harbour dredging contract was renegotiated in 2023 and now costs 180,000 pounds a year less than before."],
    ["# Workforce", "Staff turnover fell to 13.5% in 2023/24 after the pay review was completed in the spring."],
]


def _blocks_with(doc, phrase):
    return [b for b in doc.blocks if phrase in b.text]


def test_pdf_keeps_physical_page_numbers_and_drops_running_headers(tmp_path):
    path = make_pdf(tmp_path / "report.pdf", PAGES, running_header="Harbourside Council - Budget Book", title="Budget Book 2024")
    doc = load(path)
    assert doc.kind == "pdf" and doc.page_count == 3
    assert doc.title == "Budget Book 2024"
    assert [b.page for b in _blocks_with(doc, "net revenue budget")] == [1]
    assert [b.page for b in _blocks_with(doc, "harbour dredging")] == [2]
    assert [b.page for b in _blocks_with(doc, "Staff turnover")] == [3]
    assert _blocks_with(doc, "Staff turnover")[0].heading == "Workforce"
    text = doc.text
    assert "Harbourside Council - Budget Book" not in text, "running header must not become content"
    assert "Page 2 of 3" not in text, "page footers must not become content"


def test_pdf_rejoins_wrapped_lines_into_one_paragraph(tmp_path):
    long = ("The Council has replaced its legacy finance system with a cloud platform, which gives every budget manager "
            "live figures and removes fourteen spreadsheets that were used to reconcile payroll each month.")
    doc = load(make_pdf(tmp_path / "wrap.pdf", [[long]]))
    assert any(long in b.text for b in doc.blocks)


def test_corpus_council_plan_pdf_has_pages_and_headings():
    doc = load(CORPUS / "council-plan-2024-2028.pdf")
    assert doc.page_count == 2
    measure = _blocks_with(doc, "42 key performance indicators")
    assert measure and measure[0].page == 1 and measure[0].heading == "How we measure performance"
    assert _blocks_with(doc, "recycling rate was 47%")[0].page == 2


def test_docx_keeps_headings_and_table_rows(tmp_path):
    path = make_docx(
        tmp_path / "mtfs.docx",
        [("h1", "Medium Term Financial Strategy"), ("h2", "Savings"), ("p", "Savings of 3.2 million pounds are planned by 2027/28."),
         ("table", [["Year", "Savings"], ["2024/25", "1.1m"]]), ("h2", "Reserves"), ("p", "The general reserve is held at 3 million pounds.")],
        title="MTFS 2024",
    )
    doc = load(path)
    assert doc.kind == "docx" and doc.title == "MTFS 2024"
    assert _blocks_with(doc, "Savings of 3.2 million")[0].heading == "Savings"
    assert _blocks_with(doc, "general reserve")[0].heading == "Reserves"
    rows = [b for b in doc.blocks if b.form == TABLE]
    assert [(b.text, b.heading) for b in rows] == [("Year: 2024/25; Savings: 1.1m", "Savings")], "a row with its column titles"
    assert all(b.page is None for b in doc.blocks), "DOCX has no fixed pages"


def test_docx_table_merged_cells_once_and_prose_cells_as_paragraphs(tmp_path):
    from docx import Document

    explained = ("The overspend is driven by a rise in the number of children placed with independent fostering "
                 "agencies and by the cost of each placement rising faster than inflation.")
    document = Document()
    table = document.add_table(rows=3, cols=3)
    for c, title in enumerate(["Service", "Variance", "Reason"]):
        table.cell(0, c).text = title
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "Children's services", "+4.2", explained
    merged = table.cell(2, 0).merge(table.cell(2, 1))  # one cell across two columns
    merged.text = "Corporate total"
    table.cell(2, 2).text = "+4.2"
    document.save(str(tmp_path / "monitoring.docx"))
    doc = load(tmp_path / "monitoring.docx")
    assert [b.text for b in doc.blocks if b.form == TABLE] == [
        "Service: Children's services; Variance: +4.2", "Service: Corporate total; Variance: +4.2"]
    assert [b.text for b in doc.blocks if b.form == PROSE] == [explained], "a cell of sentences is read as a paragraph"


def test_html_data_tables_become_rows_and_layout_tables_stay_text(tmp_path):
    path = tmp_path / "budget.html"
    path.write_text(
        "<html><body><h2>Savings by year</h2><p>The plan sets out savings for each year of the strategy.</p>"
        "<table><caption>Savings, in millions of pounds</caption>"
        "<tr><th>Year</th><th>Savings</th></tr><tr><td>2024/25</td><td>1.1</td></tr><tr><td>2025/26</td><td>2.3</td></tr></table>"
        "<p>Savings are reviewed each quarter by the Cabinet.</p>"
        "<table><tr><td><p>The council's old website lays its pages out in a table.</p></td></tr></table>"
        "</body></html>", encoding="utf-8")
    doc = load(path)
    texts = [(b.text, b.form, b.heading) for b in doc.blocks]
    assert texts == [
        ("The plan sets out savings for each year of the strategy.", PROSE, "Savings by year"),
        ("Savings, in millions of pounds", PROSE, "Savings by year"),
        ("Year: 2024/25; Savings: 1.1", TABLE, "Savings by year"),
        ("Year: 2025/26; Savings: 2.3", TABLE, "Savings by year"),
        ("Savings are reviewed each quarter by the Cabinet.", PROSE, "Savings by year"),
        ("The council's old website lays its pages out in a table.", PROSE, "Savings by year"),
    ]


def test_markdown_headings_and_markup_removed(tmp_path):
    path = tmp_path / "strategy.md"
    path.write_text("# Digital Strategy\n\nIntro text here for the strategy.\n\n## Data\n\nWe built **nine** [dashboards](http://x) in 2023.\n\n- first item\n- second item\n", encoding="utf-8")
    doc = load(path)
    assert doc.title == "Digital Strategy"
    data = _blocks_with(doc, "dashboards")[0]
    assert data.heading == "Data" and data.text == "We built nine dashboards in 2023."
    # Items nothing introduces are paragraphs of their own, bulleted as every loader bullets them (ingest.normalise).
    assert [b.text for b in doc.blocks if "item" in b.text] == ["\u2022 first item", "\u2022 second item"]


def test_markdown_list_items_stay_under_their_lead_in(tmp_path):
    """As in PDF, text and HTML: the sentence that introduces a list keeps its items, one a line, so an item that
    completes it, or a "Name: what it does" entry, is read as a list item (units.passage_units)."""
    path = tmp_path / "tools.md"
    path.write_text("# Tools\n\nThe council uses:\n\n- Minute Taker: drafts meeting minutes\n  for staff to check.\n"
                    "* Ask Bins: answers questions\n1. Forms Robot: checks applications\n\nA closing paragraph.\n",
                    encoding="utf-8")
    assert [b.text for b in load(path).blocks] == [
        "The council uses:\n\u2022 Minute Taker: drafts meeting minutes for staff to check.\n\u2022 Ask Bins: answers questions\n"
        "\u2022 Forms Robot: checks applications", "A closing paragraph."]


def test_html_drops_scripts_styles_navigation_and_cookie_banners():
    doc = load(CORPUS / "workforce-report-2023-24.html")
    text = doc.text
    assert doc.title == "Annual Workforce Report 2023/24"
    for junk in ("dataLayer", "font-family", "Accept all cookies", "Council and democracy", "Privacy notice"):
        assert junk not in text
    assert _blocks_with(doc, "market supplements")[0].heading == "Recruitment and retention"


def test_text_in_windows_1252_is_decoded(tmp_path):
    path = tmp_path / "cabinet-notes.txt"
    path.write_bytes("The reserve stands at \u00a33.0 million \u2013 as agreed.\n".encode("cp1252"))
    doc = load(path)
    assert "\u00a33.0 million \u2013 as agreed." in doc.text
    assert doc.title == "Cabinet notes"


def test_text_minutes_headings_from_numbered_items():
    doc = load(CORPUS / "cabinet-minutes-2024-06-18.txt")
    assert _blocks_with(doc, "Spend on agency staff fell")[0].heading == "13. CONSULTANT AND AGENCY SPEND"


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("broken.pdf", b"%PDF-1.7\nthis is not really a pdf", "not a readable PDF"),
        ("notes.txt", bytes(range(256)) * 8, "binary data"),
        ("letter.docx", b"PK\x03\x04 not a zip at all", "not a readable Word document"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type '.png'"),
        ("blank.md", b"   \n\n  \n", "no extractable text"),
    ],
)
def test_bad_files_get_an_error_naming_the_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load(path)
    message = str(err.value)
    assert name in message and expected in message
    assert "\n" not in message, "one line a user can read"


def test_encrypted_pdf_without_password_is_read_and_with_password_is_refused(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [["The Council saved 95,000 pounds a year on telephony in 2023."]])
    open_copy = encrypt_pdf(plain, tmp_path / "no-password.pdf", user_password="")
    assert "95,000 pounds" in load(open_copy).text
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf", user_password="s3cret")
    with pytest.raises(LoadError, match="password-protected"):
        load(locked)


def test_scanned_pdf_with_no_text_layer_says_so(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # a picture, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(LoadError, match="no extractable text"):
        load(path)


def test_a_text_files_title_is_never_its_first_sentence(tmp_path):
    """A .txt has no title field: a name that says something, else a heading that opens the text, else
    the file's name made readable; never the opening sentence cut at 100 characters."""
    sentence = ("The Council agreed its budget on 27 February 2024 and set a council tax rise of 4.99 per cent "
                "for the year ahead.")
    cases = {
        "001_d44e5c.txt": (sentence + "\n\nMore of the note follows.\n", "001 d44e5c"),
        "notes.txt": (sentence + "\n", "Notes"),
        "x1.txt": ("Budget notes\n\n" + sentence + "\n", "Budget notes"),
        "scrutiny-panel-notes.txt": (sentence + "\n", "Scrutiny panel notes"),
        "memo.md": (sentence + "\n\nNo heading anywhere.\n", "Memo"),
    }
    for name, (text, title) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert load(path).title == title, name
