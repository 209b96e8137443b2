"""Passage units: the sentences of a passage a plan could use, whole (minutes' clauses, pairs, list items)."""

from __future__ import annotations

from assistant.sentences import FRAGMENT
from assistant.units import LEANS, passage_units


def test_minutes_offer_what_an_officer_reported_not_who_said_it():
    """Minutes hold facts in reported speech. An officer's that-clause is offered as the sentence (its first letter
    raised); a councillor's or member's words are opinion or question and stay out, as does a form's label."""
    text = ("The Head of Finance reported that the council had saved £1.2 million in 2023/24 by sharing its audit service. "
            "Councillor Green said that the savings target for next year was far too high. "
            "Purpose: The borough faces rising demand for temporary accommodation this winter.")
    units = [unit for _, unit, _, _ in passage_units(text)]
    assert units[0] == ["The council had saved £1.2 million in 2023/24 by sharing its audit service."]
    assert units[1] is None
    assert units[2] == ["The borough faces rising demand for temporary accommodation this winter."]


def test_impersonal_minutes_offer_the_fact_they_record_but_not_a_view():
    """"It was confirmed that; <clause>" records a fact the meeting was given (Herefordshire's grant figures sat
    in one and were lost as a minute formula); "It was suggested that ..." is a view and stays out."""
    text = ("It was confirmed that; the county's funding allocation came in above forecast at £3.8m and the "
            "New Homes Bonus was raised to £512,000. "
            "It was suggested that the council should sell its headquarters. "
            "It was noted by the committee that agency spend had fallen by a third since April.")
    units = [unit for _, unit, _, _ in passage_units(text)]
    assert units[0] == ["The county's funding allocation came in above forecast at £3.8m and the New Homes Bonus "
                        "was raised to £512,000."]
    assert units[1] is None
    assert units[2] == ["Agency spend had fallen by a third since April."]


def test_a_resolution_in_minutes_is_offered_as_the_council_s_decision():
    text = ("1. That Cabinet supports the plans for the Depot Relocation project and the borrowing it will "
            "need. That the comments of the committee be noted.")
    units = [unit for _, unit, _, _ in passage_units(text)]
    assert units == [["Cabinet supports the plans for the Depot Relocation project and the borrowing it will "
                      "need."], None]


def test_an_it_after_a_sentence_that_only_says_something_exists_is_not_offered():
    """Dacorum's "It recognises ..." sentence was drafted after one that only said there would be a focus on a
    workforce topic: its "it" was the People Strategy two sentences back, so the pair still dangled."""
    text = ("There will be a focus on retention, as well as training managers to lead new ways of working. "
            "It reflects the council's wider change agenda, especially income generation. "
            "The People Strategy was adopted in March 2024 by the Cabinet. "
            "It sets out how the council will recruit and keep the staff it needs.")
    units = passage_units(text)
    assert units[1] == (1, None, LEANS, False)
    assert units[3][1] == ["The People Strategy was adopted in March 2024 by the Cabinet.",
                           "It sets out how the council will recruit and keep the staff it needs."]


def test_a_list_item_that_completes_its_lead_in_is_offered_with_it_or_not_at_all():
    """North Herts' list item on the income the council's car parks bring in was drafted on its own: a noun phrase
    completing a minute's "... there had been discussion around:". After a lead-in ending on a
    preposition an item is offered joined to it, as one sentence; when the lead-in is a councillor's view (which a
    draft does not take as the council's), the item is not offered at all. Items under a lead-in that does not end on
    a preposition ("The key risks are:") are sentences of their own."""
    text = ("Councillor Green said that the council should spend less on:\n"
            "\u2022 The consultants it hires for its regeneration schemes in the town centre.\n\n"
            "The Head of Finance reported that savings would come from:\n"
            "\u2022 The new waste contract procured with Stevenage Borough Council in 2023.\n\n"
            "Our productivity work focuses on:\n"
            "\u2022 Digital services that residents can use at any time of day.\n\n"
            "The key risks are:\n"
            "\u2022 Demand for temporary accommodation rose by 12% in the year to March.")
    units = passage_units(text)
    assert units[1][1:3] == (None, FRAGMENT)
    assert units[3][1] == ["Savings would come from: The new waste contract procured with Stevenage Borough Council in 2023."]
    assert units[5][1] == ["Our productivity work focuses on: Digital services that residents can use at any time of day."]
    assert units[7][1] == ["Demand for temporary accommodation rose by 12% in the year to March."]
    assert [u[1] for u in units if u[1]] == [units[3][1], units[5][1], units[7][1]]  # no lead-in is offered on its own
    # What a meeting discussed is a fact whoever reports it: the minute's frame goes, the lead-in's clause stays.
    discussed = passage_units("Councillor Ahmed advised that there had been a lively debate about:\n"
                              "\u2022 The fees and charges that brought money into the Council, notably at leisure centres.")
    assert discussed[1][1] == ["There had been a lively debate about: The fees and charges that brought money into the "
                               "Council, notably at leisure centres."]


def test_only_a_definition_entry_is_a_list_item():
    """A bulleted "Name: what it does" entry is drafted as a bullet; a bulleted whole sentence reads as prose, and an
    item joined to its lead-in is a sentence."""
    units = passage_units("Tools in use:\n"
                          "\u2022 Minute Taker: An assistant that drafts the minutes of team meetings for staff to check.\n"
                          "\u2022 The council answered 80% of calls within a minute in 2024.\n\n"
                          "Savings came from:\n"
                          "\u2022 The shared legal service that the council runs with two neighbours.")
    offered = [(u.texts, u.list_item) for u in units if u.texts]
    assert offered == [
        (["Minute Taker: An assistant that drafts the minutes of team meetings for staff to check."], True),
        (["The council answered 80% of calls within a minute in 2024."], False),
        (["Savings came from: The shared legal service that the council runs with two neighbours."], False)]
