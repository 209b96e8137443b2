"""The assess stage on the sample corpus: candidates per guidance question, a score, and a reason for each gap."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.api import _remark_gaps
from assistant.assess import Assessor
from assistant.records import TABLE, Section, Sentence
from assistant.tuning import load_tuning


@pytest.fixture(scope="module")
def wasteful(corpus_assistant):
    return corpus_assistant.assess_theme("wasteful_spend")


def test_a_gap_says_its_best_score_and_the_threshold(wasteful):
    request, assessment = wasteful
    edi = assessment.questions["t3_edi"]
    assert not edi.answered and edi.best is not None
    gap = edi.gap()
    assert gap.score == pytest.approx(edi.best.score, abs=1e-3) and gap.score < edi.threshold
    assert f"{edi.best.score:.2f} < {edi.threshold:.2f}" in gap.reason and f"[{edi.best.evidence_number}]" in gap.reason


def test_answered_questions_have_candidates_over_the_threshold_best_first(wasteful):
    _, assessment = wasteful
    savings = assessment.questions["t3_savings"]
    assert savings.answered and savings.reason() == ""
    scores = [c.score for c in savings.candidates]
    assert scores == sorted(scores, reverse=True) and scores[0] >= savings.threshold


def test_the_threshold_is_the_tuning_files(wasteful, corpus_assistant):
    _, assessment = wasteful
    assert {q.threshold for q in assessment.questions.values()} == {corpus_assistant.tuning.drafting.relevance_threshold}


def test_a_table_passage_is_evidence_but_never_a_sentence(wasteful, corpus_assistant):
    request, _ = wasteful
    as_tables = [replace(e, form=TABLE) for e in request.evidence]
    assessment = Assessor(corpus_assistant.embedder, load_tuning()).assess(request.theme.questions, as_tables, request.by_question)
    for question in assessment.questions.values():
        assert question.candidates == [] and not question.answered
        if question.passages:
            assert "table" in question.reason()


def test_a_question_emptied_by_verification_becomes_a_gap_saying_so(wasteful):
    request, _ = wasteful
    # The drafter wrote one sentence for t3_savings; verification removed it (an invented figure).
    section = Section("wasteful_spend", "Reducing wasteful spend", [], request.evidence)
    _remark_gaps(section, request, drafted={"t3_savings": 1}, verified={})
    gap = next(g for g in section.gaps if g.question_id == "t3_savings")
    assert "verification removed" in gap.reason


def test_a_question_cut_by_the_budget_becomes_a_gap_saying_so(wasteful):
    request, _ = wasteful
    section = Section("wasteful_spend", "Reducing wasteful spend", [Sentence("Kept.", [1], 0, "t3_assets")], request.evidence)
    _remark_gaps(section, request, drafted={"t3_savings": 2, "t3_assets": 1}, verified={"t3_savings": 2, "t3_assets": 1})
    reasons = {g.question_id: g.reason for g in section.gaps}
    assert "allowance" in reasons["t3_savings"] and "t3_assets" not in reasons
