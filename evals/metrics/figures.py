"""Number fidelity: the share of figures in the draft that appear in the passages their sentence cites.

Figures are what a reader checks: £ amounts, percentages, counts, dates ("1 April 2024",
"March 2026") and years / financial years ("2023/24"). Each is counted once, in canonical
form, so "£1.9 million" in the draft matches "£1,900,000" in a source, and a date is found
only as the same date (its day and year are not counted again as numbers). This is exact
matching, not a judge. Target: 100%.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from assistant.figures import figures, money_equivalents
from assistant.verify import MONTH, misdated_figures, period_spans, periods

_DATE = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({MONTH})\s+((?:19|20)\d{{2}})\b", re.IGNORECASE)


@dataclass
class FigureCheck:
    kind: str  # date | year | number
    value: str  # canonical
    found: bool


def dates(text: str) -> set[str]:
    """'16th April 2024' -> '16 april 2024'; 'March 2026' -> 'march 2026'."""
    return {" ".join(p for p in (day, month.lower(), year) if p) for day, month, year in _DATE.findall(text)}


def figure_checks(sentence: str, passages: str) -> list[FigureCheck]:
    checks = []
    source_dates = dates(passages)
    for value in sorted(dates(sentence)):
        # A date the source gives more loosely ("March 2024" for "31 March 2024") is not the same date.
        checks.append(FigureCheck("date", value, value in source_dates))
    rest = _DATE.sub(" ", sentence)
    source_periods = periods(passages)
    for value in sorted(periods(rest)):
        checks.append(FigureCheck("year", value, value in source_periods))
    available: set[str] = set()
    for value in figures(passages):
        available |= money_equivalents(value)
    for start, end, _ in reversed(period_spans(rest)):
        rest = rest[:start] + " " + rest[end:]  # a year's digits are not counted again as a number
    for value in sorted(figures(rest)):
        checks.append(FigureCheck("number", value, bool(money_equivalents(value) & available)))
    return checks


@dataclass
class FigureScores:
    figures: int
    found: int
    misdated: int  # figures the sentence ties to another year than its source does
    missing: list[dict] = field(default_factory=list)
    by_kind: dict[str, dict] = field(default_factory=dict)

    @property
    def fidelity(self) -> float | None:
        return self.found / self.figures if self.figures else None

    def to_dict(self) -> dict:
        return {**asdict(self), "fidelity": self.fidelity}


def plan_figures(sections) -> FigureScores:
    total = found = misdated = 0
    missing, by_kind = [], {}
    for section in sections:
        evidence = section.evidence_by_number()
        for s in section.sentences:
            passages = "\n".join(evidence[n].text for n in s.citations if n in evidence)
            for check in figure_checks(s.text, passages):
                total += 1
                found += check.found
                kind = by_kind.setdefault(check.kind, {"figures": 0, "found": 0})
                kind["figures"] += 1
                kind["found"] += check.found
                if not check.found:
                    missing.append({"theme_id": section.theme_id, "value": check.value, "kind": check.kind, "sentence": s.text})
            misdated += len(misdated_figures(s.text, passages))
    return FigureScores(total, found, misdated, missing, by_kind)
