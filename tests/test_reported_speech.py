"""Minutes' reported speech and resolutions: the clause a plan can use, and whose words are not the council's."""

from __future__ import annotations

import pytest

from assistant.reported_speech import reported_clause
from assistant.sentences import sentence_problem


@pytest.mark.parametrize(("text", "clause"), [
    ("That Cabinet supports the plans for the Depot Relocation project and the borrowing it will need.",
     "Cabinet supports the plans for the Depot Relocation project and the borrowing it will need."),
    ("That Council approved the revised capital programme of £12m for 2024/25.",
     "Council approved the revised capital programme of £12m for 2024/25."),
    # A recommendation in the subjunctive, or a noting, is not yet the council's decision.
    ("That Cabinet approve the revised schedule of fees and charges for next year.", None),
    ("That the comments of the committee be noted.", None),
])
def test_a_resolution_offers_the_decision_it_records(text, clause):
    """Dacorum's asset review was only in a resolution (a "That Cabinet supports ..." naming the review programme),
    which was taken for a minute formula: the estate question was reported as a gap."""
    assert sentence_problem(text) is not None  # as written, a resolution is minutes
    assert reported_clause(text) == clause
    if clause:
        assert sentence_problem(clause) is None


@pytest.mark.parametrize("text", [
    # The speaker is whoever the minute named last, often a councillor; and a question is not a fact.
    "He noted that the borough received the least grant per head in the county.",
    "The Director of Finance noted that the borough received the least grant per head and asked if the review "
    "might change that.",
])
def test_a_reported_clause_is_not_offered_from_an_unnamed_speaker_or_with_a_question(text):
    """Bury's minute of a councillor noting where the town stood on the funding scale and asking whether the new
    formula would help ("He noted that <fact> and asked if <question>.") was drafted as its that-clause, "and asked
    if ..." included: a councillor's question."""
    assert reported_clause(text) is None


def test_a_clause_the_council_reports_of_itself_is_offered():
    assert reported_clause("We reported that the council had saved £1.2m by sharing its audit service.") == \
        "The council had saved £1.2m by sharing its audit service."


def test_what_a_meeting_discussed_is_offered_whoever_reports_it_but_not_a_councillor_s_view():
    """North Herts' Chair of the finance committee reported a discussion of the car-park income the labels take as
    the estate answer; a councillor's view stays out as before."""
    assert reported_clause("Councillor Ahmed advised that there had been a lively debate about the fees that brought "
                           "in income, notably at leisure centres.") == \
        "There had been a lively debate about the fees that brought in income, notably at leisure centres."
    assert reported_clause("Councillor Green said that the savings target for next year was far too high.") is None
    assert reported_clause("Councillor Green said that there had been no consultation with residents on the closures.") is None


@pytest.mark.parametrize(("text", "clause"), [
    # A role whose organisation is a camel-case brand ("oneSource", "eServices") is still a speaker at the meeting.
    ("The oneSource Managing Director advised that the shared service began in 2013 as a partnership of two boroughs.",
     "The shared service began in 2013 as a partnership of two boroughs."),
    ("The eServices Manager explained that 40 forms had moved online in the year.",
     "40 forms had moved online in the year."),
])
def test_a_speaker_whose_title_opens_in_lower_case_is_still_a_minute(text, clause):
    """Havering's "The oneSource Managing Director advised that ..." was drafted whole, frame and all: the role
    rule only knew titles that open with a capital."""
    assert sentence_problem(text) == "minute formula"
    assert reported_clause(text) == clause
    # A team doing something is a fact, whatever its brand.
    assert sentence_problem("The eServices team added 40 online forms to the website this year.") is None
