"""The references list: one compact line per cited place, numbered plan-wide.

Citations are numbered per section while drafting (each section has its own evidence
list). The exports renumber them plan-wide and merge citations of the same place: two
passages of one document on one page are one reference (a reader looks up the page,
and two identical lines would waste a line and look like an error). A passage with no
page is located by its heading, or failing that by its opening words, so every
reference still points at the passage the sentence was drafted from.

Each reference is printed on one line, so the budget can charge it one line of a page
(`PlanTemplate.references.line_tokens`) and the meter and the rendered page agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.records import Evidence, Plan, Section

# Characters of a reference line, "[12] " included, that fit one line of the A4 export at the
# references' 9 pt (checked by tests/test_export_docx.py on LibreOffice renders).
MAX_REFERENCE_CHARS = 100
_OPENING_WORDS = 7
MAX_FILE_NAME = 40


def reference_key(e: Evidence) -> tuple[str, str]:
    """What makes two citations the same reference: document and page; else document and heading; else the passage."""
    if e.page is not None:
        return (e.source, f"page:{e.page}")
    if e.heading:
        return (e.source, f"heading:{e.heading}")
    return (e.source, f"passage:{e.chunk_id}")


def _location(e: Evidence) -> str:
    if e.page is not None:
        return f"p. {e.page}"
    if e.heading:
        return f"\u2018{e.heading}\u2019"
    words = e.text.split()
    opening = " ".join(words[:_OPENING_WORDS])
    return f"\u2018{opening}\u2026\u2019" if len(words) > _OPENING_WORDS else f"\u2018{opening}\u2019"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "\u2026"


def reference_text(e: Evidence, number: int | None = None) -> str:
    """'Title (file.pdf), p. 3' shortened to one printed line (the title gives way first, then the location)."""
    prefix = f"[{number}] " if number is not None else ""
    name, location = Path(e.source).name, _location(e)
    if len(name) > MAX_FILE_NAME:  # long file names would leave no room for the title: keep the start and the end
        name = name[: MAX_FILE_NAME - 16] + "\u2026" + name[-15:]
    room = MAX_REFERENCE_CHARS - len(prefix) - len(f" ({name}), ")
    location = _shorten(location, max(12, room // 2))
    title = _shorten(e.title, max(12, room - len(location)))
    return _shorten(f"{prefix}{title} ({name}), {location}", MAX_REFERENCE_CHARS)


def section_reference_keys(section: Section) -> set[tuple[str, str]]:
    """The distinct references a section's sentences cite (what it adds to the list on its own)."""
    evidence = section.evidence_by_number()
    return {reference_key(evidence[n]) for s in section.sentences for n in s.citations if n in evidence}


@dataclass
class NumberedPlan:
    """A plan's citations renumbered plan-wide: per section, local number -> plan number; and the references."""

    numbers: dict[str, dict[int, int]]  # theme_id -> {local: global}
    references: list[Evidence]  # one passage per reference (the first cited), in number order


def number_citations(plan: Plan) -> NumberedPlan:
    global_number: dict[tuple[str, str], int] = {}
    references: list[Evidence] = []
    numbers: dict[str, dict[int, int]] = {}
    for section in plan.sections:
        local_to_global = numbers.setdefault(section.theme_id, {})
        evidence = section.evidence_by_number()
        for sentence in section.sentences:
            for n in sentence.citations:
                if n not in evidence:
                    continue
                key = reference_key(evidence[n])
                if key not in global_number:
                    global_number[key] = len(global_number) + 1
                    references.append(evidence[n])
                local_to_global[n] = global_number[key]
    return NumberedPlan(numbers, references)
