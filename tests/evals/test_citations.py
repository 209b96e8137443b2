"""ALCE citation recall and precision on hand-built sections whose answers are known."""

from __future__ import annotations

from assistant.records import Sentence
from evals.judges import Judge, Verdict
from evals.metrics.citations import plan_citations, sentence_citations

from .conftest import AGENCY, CONSULTANTS, RECYCLING, section


class FactJudge(Judge):
    """Supported when the passages, together, hold every fact (a word in capitals) of the sentence."""

    def supports(self, sentence, passages):
        facts = {w for w in sentence.split() if w.isupper()}
        held = {w for p in passages for w in p.split() if w.isupper()}
        return Verdict(facts <= held)


PASSAGES = {1: "A B", 2: "C", 3: "A B C", 4: "Z"}


def test_alce_precision_counts_an_unneeded_citation_as_imprecise():
    row = sentence_citations("t", "A B", [1, 4], PASSAGES, FactJudge())
    assert row.entailed and row.precise == [True, False]  # [4] adds nothing: the sentence stands on [1] alone


def test_alce_keeps_citations_that_are_needed_together():
    row = sentence_citations("t", "A B C", [1, 2], PASSAGES, FactJudge())
    assert row.entailed and row.precise == [True, True]  # neither alone, both together


def test_alce_two_citations_that_each_suffice_are_both_precise():
    # ALCE condition (a): a citation that supports the sentence on its own is precise even if another also does.
    row = sentence_citations("t", "A B", [1, 3], PASSAGES, FactJudge())
    assert row.precise == [True, True]


def test_alce_unsupported_sentence_makes_all_its_citations_imprecise_and_uncited_scores_zero():
    assert sentence_citations("t", "A Q", [1, 3], PASSAGES, FactJudge()).precise == [False, False]
    uncited = sentence_citations("t", "A", [], PASSAGES, FactJudge())
    assert not uncited.entailed and uncited.precise == []
    missing = sentence_citations("t", "A", [9], PASSAGES, FactJudge())  # a citation to no passage supports nothing
    assert not missing.entailed


def test_alce_on_a_real_section_with_the_offline_judge(offline_judge):
    sentences = [
        Sentence("Spend on agency staff fell to £1.1 million in 2023/24.", [1]),  # entailed, precise
        Sentence("Spend on agency staff fell to £1.1 million in 2023/24.", [1, 3]),  # entailed, [3] imprecise
        Sentence("Spend on consultants was £385,000 in 2023/24.", [3]),  # cites the wrong passage
        Sentence("The Council plans to cut agency spend further.", []),  # no citation
        Sentence("Agency spend fell to £1.1 million in 2023/24 and consultancy spend was £385,000.", [1, 2]),  # needs both
    ]
    pooled, per_theme = plan_citations([section(sentences, AGENCY, CONSULTANTS, RECYCLING)], offline_judge)
    assert [r.entailed for r in pooled.rows] == [True, True, False, False, True]
    assert [r.precise for r in pooled.rows] == [[True], [True, False], [False], [], [True, True]]
    assert pooled.recall == 3 / 5
    assert pooled.precision == 4 / 6
    assert pooled.sentence_precision == 2 / 4
    assert per_theme["wasteful_spend"].recall == pooled.recall
