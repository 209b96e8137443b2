"""Number fidelity: figures, dates and years of the draft against its cited passages."""

from __future__ import annotations

from assistant.records import Sentence
from evals.metrics.figures import dates, figure_checks, plan_figures

from .conftest import AGENCY, CONSULTANTS, section

SOURCE = ("From 1 April 2024, any consultancy engagement above £10,000 needs approval. "
          "Phase two runs to March 2026 and saves £1.4 million.")


def test_figures_are_counted_once_each_in_canonical_form():
    checks = figure_checks("From 1 April 2024 engagements above £10k need approval; phase two saves £1,400,000 by March 2026.", SOURCE)
    assert [(c.kind, c.value, c.found) for c in checks] == [
        ("date", "1 april 2024", True), ("date", "march 2026", True), ("number", "10k", True), ("number", "1400000", True)]


def test_a_changed_date_year_or_amount_is_not_found():
    checks = figure_checks("From 2 April 2024, engagements above £12,000 need approval in 2024/25.", SOURCE)
    assert [(c.kind, c.value, c.found) for c in checks] == [
        ("date", "2 april 2024", False), ("year", "2024/25", False), ("number", "12000", False)]
    assert dates("received 16th April 2024") == {"16 april 2024"}


def test_plan_fidelity_over_cited_passages_only():
    sentences = [
        Sentence("Spend on agency staff fell to £1.1 million in 2023/24.", [1]),  # 2 figures, both in [1]
        Sentence("Spend on consultants was £385,000 in 2023/24.", [1]),  # £385,000 is in passage 2, not the cited one
    ]
    scores = plan_figures([section(sentences, AGENCY, CONSULTANTS)])
    assert (scores.figures, scores.found) == (4, 3)
    assert scores.fidelity == 0.75
    assert scores.missing[0]["value"] == "385000" and scores.by_kind["year"] == {"figures": 2, "found": 2}
