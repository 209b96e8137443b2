"""Two councils' documents for one shared store: what a plan's document set must keep apart.

Each council's documents answer the same guidance questions (restructures, performance
measures, shared services, legacy systems, data, automation), each in its own words and
figures and naming its own council, so a citation's document says whose it is.
"""

from __future__ import annotations

from pathlib import Path

COUNCILS = {
    "Harbourside": {
        "harbourside-transformation-report.txt": (
            "Harbourside transformation report\n\n"
            "Harbourside Council restructured its senior management team in 2023, removing 11 posts, and moved to a "
            "centralised operating model for customer services.\n\n"
            "Harbourside Council measures productivity through a performance framework of 24 key performance indicators "
            "reported to Cabinet every quarter on a public dashboard.\n\n"
            "The Harbourside transformation programme board will deliver savings of 3.1 million pounds over the next two "
            "years, tracked against workstream targets.\n\n"
            "Harbourside Council shares its legal service with two neighbouring councils, which saved 400,000 pounds "
            "in its first year.\n"
        ),
        "harbourside-digital-plan.txt": (
            "Harbourside digital plan\n\n"
            "Harbourside Council is replacing its legacy finance system with a cloud ERP system in 2025, so budget "
            "holders see spend as it happens.\n\n"
            "Harbourside Council uses data dashboards and analytics to plan waste collection rounds and to target "
            "housing support.\n\n"
            "Harbourside Council uses robotic process automation for council tax changes, which handles 9,000 cases a "
            "year without manual keying.\n"
        ),
    },
    "Northfield": {
        "northfield-cabinet-minutes.txt": (
            "Northfield cabinet minutes\n\n"
            "Northfield District Council restructured its directorates in 2022, removing 27 posts, and adopted a "
            "single operating model across its services.\n\n"
            "Northfield District Council measures productivity with 40 key performance indicators in a quarterly "
            "performance report and benchmarking against similar councils.\n\n"
            "The Northfield transformation programme aims to save 5.6 million pounds by 2026 through its change "
            "programme workstreams.\n\n"
            "Northfield District Council runs a shared revenues and benefits service in partnership with the county "
            "council.\n"
        ),
        "northfield-technology-strategy.txt": (
            "Northfield technology strategy\n\n"
            "Northfield District Council will replace its legacy housing system with a cloud case management system "
            "in 2024.\n\n"
            "Northfield District Council uses business intelligence and data analytics to decide where to invest in "
            "parks and leisure.\n\n"
            "Northfield District Council introduced a chatbot on its website, which answered 30,000 resident "
            "questions automatically in 2023.\n"
        ),
    },
}


def write_councils(folder: Path) -> dict[str, list[Path]]:
    """Both councils' documents under `folder`; council name -> its files."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    for council, files in COUNCILS.items():
        for name, text in files.items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            written.setdefault(council, []).append(path)
    return written
