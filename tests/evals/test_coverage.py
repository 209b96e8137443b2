"""Coverage per guidance question: key points covered, gaps reported, padding and false gaps caught."""

from __future__ import annotations

from assistant.records import Gap, Sentence
from evals.data import QuestionExpectation
from evals.metrics.coverage import question_result

from .conftest import AGENCY, CONSULTANTS, section

ANSWER = QuestionExpectation("t3_consultants", "answer", [
    "Spend on agency staff fell to £1.1 million in 2023/24.",
    "Spend on consultants was £385,000 in 2023/24.",
])
GAP = QuestionExpectation("t3_edi", "gap")


def test_a_question_is_covered_when_a_sentence_states_a_key_point(offline_judge):
    drafted = section([Sentence(AGENCY, [1], question_id="t3_consultants")], AGENCY, CONSULTANTS)
    result = question_result(drafted, "t3_consultants", ANSWER, offline_judge)
    assert result.correct and result.verdict == "covered" and result.key_points_found == [True, False]


def test_a_key_point_with_another_figure_is_not_covered(offline_judge):
    wrong = Sentence("Spend on agency staff fell to £1.4 million in 2023/24.", [1], question_id="t3_consultants")
    result = question_result(section([wrong], AGENCY), "t3_consultants", ANSWER, offline_judge)
    assert not result.correct and result.verdict == "not covered"


def test_an_answerable_question_listed_as_a_gap_is_a_miss(offline_judge):
    drafted = section([], AGENCY, gaps=[Gap("t3_consultants", "What do you spend on consultants?")])
    assert question_result(drafted, "t3_consultants", ANSWER, offline_judge).verdict == "wrongly reported as a gap"


def test_a_gap_is_right_only_when_listed_and_not_padded(offline_judge):
    gap = Gap("t3_edi", "What do you spend on EDI?")
    listed = section([Sentence(AGENCY, [1], question_id="t3_consultants")], AGENCY, gaps=[gap])
    assert question_result(listed, "t3_edi", GAP, offline_judge).verdict == "gap reported"
    padded = section([Sentence(AGENCY, [1], question_id="t3_edi")], AGENCY)
    result = question_result(padded, "t3_edi", GAP, offline_judge)
    assert (result.correct, result.verdict, result.sentences) == (False, "gap padded", 1)
    silent = section([], AGENCY)
    assert question_result(silent, "t3_edi", GAP, offline_judge).verdict == "gap not reported"
