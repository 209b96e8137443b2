"""Synthetic council text: sentences, chunk-sized passages and a generated PDF corpus.

Deterministic (seeded), so two runs measure the same work. The sentences read
like a council report (services, figures, years) so chunk lengths, BM25 term
statistics and PDF extraction behave as they do on real documents.
"""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from pathlib import Path

SERVICES = [
    "waste collection", "street cleansing", "adult social care", "children's services", "housing options",
    "temporary accommodation", "council tax", "revenues and benefits", "planning", "building control",
    "libraries", "leisure centres", "parks and open spaces", "highways", "parking", "environmental health",
    "licensing", "customer services", "digital services", "procurement", "facilities management",
    "democratic services", "electoral services", "community safety", "economic development", "regeneration",
    "homelessness prevention", "private sector housing", "disabled facilities grants", "cemeteries",
]
ACTIONS = [
    "delivered savings of", "overspent by", "reduced agency spend by", "invested", "received grant funding of",
    "saved", "reported a pressure of", "generated income of", "set aside a reserve of", "spent",
]
OUTCOMES = [
    "through a redesign of the front door", "by moving transactions online", "after a review of contracts",
    "because demand rose faster than forecast", "as the new operating model bedded in", "by sharing a service with a neighbouring district",
    "following the restructure agreed by Cabinet", "by automating routine casework", "through better use of data",
    "after renegotiating the lease", "by reducing reliance on interim staff", "through the asset review",
]
SUBJECTS = [
    "The Council", "The service", "The transformation programme", "The Cabinet Member", "The directorate",
    "The Medium Term Financial Strategy", "Officers", "The Audit and Governance Committee", "The workforce strategy",
]
CLAIMS = [
    "will report progress to Cabinet every quarter", "expects demand to keep rising over the next three years",
    "has agreed a new performance framework with clear measures", "will publish the results of the resident survey",
    "is working with partners to reduce duplication", "has identified further opportunities for shared services",
    "will review the fees and charges policy before the budget is set", "consulted residents on the proposals",
    "recognises the risk that savings are delayed", "has strengthened its approach to contract management",
]
# About what a council report's page holds between its headings, tables and white space,
# and what fits on a page with the layout below (checked: the PDFs come out at `pages`).
WORDS_PER_PAGE = 360
HEADINGS = [
    "Financial position", "Service performance", "Workforce", "Digital and data", "Savings delivered",
    "Risks and mitigations", "Demand pressures", "Partnership working", "Capital programme", "Next steps",
]


def _money(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"£{rng.randint(20, 990) * 1000:,}"
    return f"£{rng.randint(11, 99) / 10:.1f} million"


def sentence(rng: random.Random) -> str:
    year = rng.randint(2019, 2025)
    if rng.random() < 0.55:
        service = rng.choice(SERVICES)
        return (f"In {year}/{(year + 1) % 100:02d} the {service} service {rng.choice(ACTIONS)} {_money(rng)} "
                f"{rng.choice(OUTCOMES)}.")
    if rng.random() < 0.5:
        return f"{rng.choice(SUBJECTS)} {rng.choice(CLAIMS)}, starting with {rng.choice(SERVICES)} in {year}."
    pct = rng.randint(2, 45)
    return (f"Satisfaction with {rng.choice(SERVICES)} rose to {rng.randint(50, 95)}% in {year}, "
            f"and {pct}% of requests are now handled {rng.choice(['online', 'at first contact', 'within five days'])}.")


def paragraph(rng: random.Random, sentences: int | None = None) -> str:
    return " ".join(sentence(rng) for _ in range(sentences or rng.randint(3, 6)))


def passage_pool(size: int, seed: int = 7) -> list[str]:
    """Chunk-sized passages (~110-180 words) for the retrieval benchmark's synthetic store."""
    rng = random.Random(seed)
    return [paragraph(rng, rng.randint(6, 9)) for _ in range(size)]


def document_blocks(rng: random.Random, number: int, pages: int) -> list[tuple[str, str]]:
    """A report's headings and paragraphs, about `pages` A4 pages long at 11pt."""
    title = f"Brackenridge Borough Council report {number:03d}: {rng.choice(HEADINGS)} {2020 + number % 5}"
    blocks = [("h1", title)]
    words_wanted = pages * WORDS_PER_PAGE
    words = 0
    section = 0
    while words < words_wanted:
        section += 1
        blocks.append(("h2", f"{section}. {rng.choice(HEADINGS)}"))
        for _ in range(rng.randint(2, 4)):
            text = paragraph(rng)
            blocks.append(("p", text))
            words += len(text.split())
    return blocks


def write_pdf_corpus(folder: Path, documents: int, pages_per_document: int, seed: int = 11) -> list[Path]:
    """Write `documents` council-report PDFs; returns their paths (reused when already written)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(documents):
        path = folder / f"report-{number:03d}.pdf"
        paths.append(path)
        if not path.exists():
            rng = random.Random(seed * 1000 + number)
            tmp = path.with_suffix(".tmp")
            _write_pdf(document_blocks(rng, number, pages_per_document), tmp)
            tmp.replace(path)
    return paths


def _write_pdf(blocks: list[tuple[str, str]], path: Path) -> None:
    """Lay the text out line by line. fpdf2's multi_cell re-measures a paragraph for every
    character it adds (quadratic), which made 500 pages take minutes; textwrap takes seconds."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc))  # same bytes every run
    pdf.set_title(blocks[0][1])
    pdf.set_auto_page_break(False)
    running_title = blocks[0][1]
    y = 0.0

    def new_page() -> float:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 8)  # a core font: latin-1 holds the pound sign
        pdf.text(15, 10, running_title)
        pdf.text(100, 290, f"Page {pdf.page_no()}")
        return 22.0

    y = new_page()
    for kind, text in blocks:
        size, style, height, width = {"h1": (16, "B", 9, 60), "h2": (12, "B", 8, 70), "p": (11, "", 7, 85)}[kind]
        pdf.set_font("Helvetica", style, size)
        for line in textwrap.wrap(text, width):
            if y > 278:
                y = new_page()
                pdf.set_font("Helvetica", style, size)
            pdf.text(15, y, line)
            y += height
        y += 5
    pdf.output(str(path))
