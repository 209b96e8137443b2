"""Builds the PDF and DOCX files of the sample corpus (a fictional council).

The Markdown, HTML and text documents in corpus/ are written by hand; the
binary ones are generated here so their text stays reviewable in git.
Run: .venv/bin/python scripts/build_corpus.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from fpdf import FPDF

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
COUNCIL = "Brackenridge Borough Council"
FIXED_DATE = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)

COUNCIL_PLAN = [
    ("h1", "Council Plan 2024 to 2028"),
    ("p", "Agreed by Full Council on 27 February 2024."),
    ("h2", "Introduction from the Leader"),
    ("p", "Brackenridge is a borough of 148,300 residents, with a busy market town at its centre and eleven villages around it. "
          "This plan sets out what the Council will do over the next four years and how residents can hold us to account for it."),
    ("p", "Like every council, we face rising demand and costs that have grown faster than our income. "
          "We have responded by changing how the Council works rather than by cutting the services residents value most."),
    ("h2", "Our four priorities"),
    ("p", "The plan has four priorities: thriving town centres, homes for everyone, a clean and green borough, and a modern council."),
    ("h2", "A modern council"),
    ("p", "Our transformation programme, Brackenridge Forward, began in April 2022. "
          "It has changed the way the Council is organised, moved services online and reduced the cost of running the organisation."),
    ("p", "The Contact Brackenridge customer hub opened in September 2022 and brought together seven separate contact points into one service. "
          "Residents now have one telephone number, one online account and one front desk at the Town Hall."),
    ("p", "Since 2019 the Council has run a shared waste and recycling service with Holmsworth District Council, which saves the two councils £640,000 a year between them. "
          "The shared service operates 38 collection rounds from a single depot."),
    ("h2", "How we measure performance"),
    ("p", "We publish a quarterly performance report with 42 key performance indicators to Cabinet and to the Overview and Scrutiny Committee. "
          "Each indicator has a target, an owner and a trend over the last three years."),
    ("p", "Our corporate performance dashboard, launched in October 2023, gives managers up-to-date figures on demand, cost and timeliness for each service. "
          "We compare our costs and performance with our 15 nearest neighbour councils using LG Inform, and we use the cost of each customer contact as our main measure of productivity."),
    ("h2", "Homes for everyone"),
    ("p", "We will enable the building of 2,400 new homes by 2028, of which at least 600 will be affordable homes. "
          "Demand for help with homelessness has grown sharply, and more families are living in temporary accommodation than at any time since 2010."),
    ("p", "We will reduce the use of bed and breakfast for families by buying and leasing homes to use as temporary accommodation within the borough."),
    ("h2", "A clean and green borough"),
    ("p", "Our recycling rate was 47% in 2023/24, and we aim to reach 55% by 2028. "
          "We will plant 10,000 trees on council land by 2028 and cut the Council's own carbon emissions by 50% from their 2019 level."),
    ("h2", "Thriving town centres"),
    ("p", "We will bring the empty former department store on Market Square back into use and support independent businesses through the town centre fund. "
          "Vacant shop units in the town centre fell from 14% in 2022 to 11% in 2024."),
    ("h2", "Delivering the plan"),
    ("p", "The plan is paid for within the Medium Term Financial Strategy. "
          "Progress is reported to Cabinet every quarter, and the plan will be refreshed each year alongside the budget."),
]

TRANSFORMATION_REPORT = [
    ("h1", "Report to Cabinet, 12 March 2024: Brackenridge Forward transformation programme"),
    ("p", "Report of the Chief Executive. Portfolio Holder: Leader of the Council. Key decision: No."),
    ("h2", "1. Purpose of the report"),
    ("p", "1.1 This report sets out what phase one of the Brackenridge Forward programme has delivered and asks Cabinet to agree the scope of phase two."),
    ("h2", "2. What phase one delivered"),
    ("p", "2.1 Phase one of Brackenridge Forward ran from April 2022 to March 2024. "
          "It delivered £1.9 million of recurring savings against a target of £1.6 million."),
    ("p", "2.2 The senior management restructure in 2022 reduced the number of directors from five to three and the number of heads of service from 14 to 10, saving £520,000 a year."),
    ("p", "2.3 Recruitment, workforce development and project management were centralised into a single Corporate Services team in 2023. "
          "This removed 9 duplicated posts and gave every project the same reporting standard."),
    ("p", "2.4 A review of the planning service, carried out with the Planning Advisory Service, cut the average time to decide a householder application from 11 weeks to 7 weeks."),
    ("p", "2.5 Garden waste collection moved to online-only subscriptions in 2023, with 31,500 subscribers in 2023/24, and the change removed the need to process paper forms and cheques."),
    ("h2", "3. Procurement and contracts"),
    ("p", "3.1 The joint procurement team that the Council has shared with Holmsworth District Council since 2021 now manages a contract register of 312 contracts. "
          "Every contract over £100,000 has a named contract manager and a quarterly review."),
    ("p", "3.2 Renegotiating the grounds maintenance contract in 2023 saved £180,000 a year without reducing the frequency of grass cutting."),
    ("h2", "4. Phase two: 2024 to 2026"),
    ("p", "4.1 Phase two will focus on three workstreams: customer access, the new finance and HR system, and a review of the Council's estate. "
          "It aims to deliver a further £1.4 million of savings by March 2026."),
    ("p", "4.2 Progress will be tracked monthly by the Brackenridge Forward Board, chaired by the Chief Executive, and reported to Cabinet every quarter with the performance report."),
    ("p", "4.3 Each workstream has its own measures: the share of contacts resolved at first point of contact, the number of manual finance processes removed, and the running cost per square metre of the estate."),
    ("h2", "5. Recommendation"),
    ("p", "5.1 That Cabinet notes the outcomes of phase one and agrees the scope of phase two of the Brackenridge Forward programme."),
    ("p", "Background papers: none. Contact officer: Head of Transformation, telephone 01632 960 123."),
]

MTFS = [
    ("h1", "Medium Term Financial Strategy 2024/25 to 2027/28: Summary"),
    ("p", "Approved by Full Council on 27 February 2024 alongside the budget for 2024/25."),
    ("h2", "The budget position"),
    ("p", "The net revenue budget for 2024/25 is £24.6 million. Without further action the budget gap would grow to £4.8 million by 2027/28, "
          "because pay, energy and temporary accommodation costs are rising faster than income."),
    ("p", "The general fund reserve is held at £3.0 million, which is 12.2% of the net budget and in line with the Section 151 Officer's advice."),
    ("h2", "The savings programme"),
    ("p", "Since 2020/21 the Council has delivered £5.7 million of savings. "
          "The savings programme in this strategy will deliver a further £3.2 million by 2027/28, of which £1.1 million is planned for 2024/25."),
    ("table", [["Year", "Planned savings", "Of which transformation"],
               ["2024/25", "£1.1m", "£0.7m"],
               ["2025/26", "£0.9m", "£0.5m"],
               ["2026/27", "£0.7m", "£0.2m"],
               ["2027/28", "£0.5m", "£0.0m"]]),
    ("h2", "Assets and income"),
    ("p", "The Asset Review 2023 identified 14 surplus sites. Their disposal is expected to raise £3.5 million in capital receipts by March 2026, "
          "which will be used to reduce borrowing."),
    ("p", "Moving staff from the Riverside Offices into the Town Hall saved £410,000 a year in running costs from 2023/24. "
          "Commercial property income is budgeted at £1.8 million in 2024/25."),
    ("h2", "Risks and funding uncertainty"),
    ("p", "The 2024/25 settlement was again for one year only, the sixth single-year settlement in a row, which makes planning beyond twelve months uncertain."),
    ("p", "The delayed Fair Funding Review and business rates reset could change the Council's income by up to £1.5 million a year, "
          "and the timing of both is still unknown."),
    ("p", "In 2023/24 the Council bid for 11 separate competitive funds, spending an estimated 1,900 officer hours on bids, and won 4 of them. "
          "Much of the funding won was ring-fenced to capital projects and cannot be used to meet revenue pressures."),
    ("p", "The largest risk to the strategy is the cost of temporary accommodation, which is demand-led and has exceeded its budget in each of the last three years."),
]


class _Pdf(FPDF):
    """A council report layout with a running header and page numbers, as real ones have."""

    def __init__(self, running_title: str):
        super().__init__(format="A4")
        self.running_title = running_title
        font_dir = Path("/usr/share/fonts/truetype/dejavu")
        if (font_dir / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(font_dir / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(font_dir / "DejaVuSans-Bold.ttf"))
            self.font_name = "Body"
        else:  # core font: latin-1 only, which still holds the pound sign
            self.font_name = "Helvetica"
        self.set_creation_date(FIXED_DATE)
        self.set_auto_page_break(auto=True, margin=20)

    def header(self):
        self.set_font(self.font_name, "", 8)
        self.cell(0, 8, f"{COUNCIL} - {self.running_title}", align="R")
        self.ln(12)

    def footer(self):
        self.set_y(-15)
        self.set_font(self.font_name, "", 8)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def write_pdf(blocks, path: Path, running_title: str) -> None:
    pdf = _Pdf(running_title)
    pdf.set_title(blocks[0][1])
    pdf.add_page()
    for kind, text in blocks:
        if kind == "h1":
            pdf.set_font(pdf.font_name, "B", 16)
            pdf.multi_cell(0, 9, text)
            pdf.ln(3)
        elif kind == "h2":
            pdf.ln(2)
            pdf.set_font(pdf.font_name, "B", 12)
            pdf.multi_cell(0, 7, text)
            pdf.ln(1)
        else:
            pdf.set_font(pdf.font_name, "", 11)
            pdf.multi_cell(0, 6, text)
            pdf.ln(3)
    pdf.output(str(path))


def write_docx(blocks, path: Path) -> None:
    doc = Document()
    doc.core_properties.title = blocks[0][1]
    doc.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    for kind, content in blocks:
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            doc.add_paragraph(content)
    doc.save(str(path))


def main() -> None:
    write_pdf(COUNCIL_PLAN, CORPUS / "council-plan-2024-2028.pdf", "Council Plan 2024 to 2028")
    write_pdf(TRANSFORMATION_REPORT, CORPUS / "cabinet-report-brackenridge-forward-2024-03.pdf", "Cabinet, 12 March 2024")
    write_docx(MTFS, CORPUS / "mtfs-summary-2024-25-to-2027-28.docx")
    print("wrote corpus PDFs and DOCX to", CORPUS)


if __name__ == "__main__":
    main()
