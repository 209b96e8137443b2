"""The parser's main-verb test, on the shapes council documents set as notes (examples written for the test)."""

import pytest

from assistant.units import passage_units
from assistant.grammar import has_main_verb
from assistant.sentences import FRAGMENT, sentence_problem

NOTES = [
    # a risk register's risk event: a noun phrase with a participle
    "Failure to recruit enough qualified care workers resulting in greater reliance on agency staff at extra cost.",
    "Reduced government grant resulting in a funding gap in 2026/27.",
    # a definition list's entries
    "Chat Assistant: A secure, council-managed generative AI tool, used for internal questions and support queries.",
    "Meeting Transcriber: Used to summarise meetings and record actions for staff.",
    "Teams Phone: Integrated with the contact centre for calls, chat and collaborative work.",
    # a register's conditional risk, whose consequence has no verb
    "If vacancies stay high and retention poor, then renewed pressure to raise the pay of care staff in the sector.",
    # a note in an agenda
    "Budget amendments for 2025/26 published on 8 February.",
    # a noun with its relative clause, and nothing said of it
    "The new parking permit scheme which is working well and bringing in more income than expected.",
]

PROSE = [
    "We deliver £2m of savings each year through the transformation programme.",
    "Residents expect to report problems online at any time of day.",
    "The Council saw demand for adult social care rise by 10% in 2023/24.",
    # British "-ises" verbs, which the small model can tag as plural nouns
    "The council's approach to pay recognises that there will be many factors staff weigh up.",
    "The strategy prioritises prevention and early help over crisis services.",
    "Agency spend fell to £4.1m after the recruitment campaign.",
    "There are 1,200 homes on the waiting list.",
    "If demand keeps rising at this rate, then the council will overspend by £3m in 2026/27.",
    # a participle opening a sentence whose verb comes later
    "Using data better, the council cut missed bins by 20% in a year.",
]


@pytest.mark.parametrize("sentence", NOTES)
def test_notes_with_no_main_verb_are_fragments(sentence):
    assert not has_main_verb(sentence)
    assert sentence_problem(sentence) == FRAGMENT


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_keeps_its_verb(sentence):
    assert has_main_verb(sentence)
    assert sentence_problem(sentence) is None


def test_a_list_item_that_completes_its_lead_in_borrows_the_lead_in_s_verb():
    """The item alone is a noun phrase; with its lead-in it is a sentence, and it is offered that way."""
    text = ("The review found savings in three areas including:\n"
            "\u2022 The income that parking and the markets bring to the council each year.")
    units = [unit for _, unit, _, _ in passage_units(text) if unit]
    assert units == [["The review found savings in three areas including: "
                      "The income that parking and the markets bring to the council each year."]]


def test_a_note_is_not_offered_as_an_answer():
    units = passage_units("Staffing risk. " + NOTES[0] + " " + PROSE[5])
    offered = [u for _, unit, _, _ in units if unit for u in unit]
    assert offered == [PROSE[5]]
    assert (1, None, FRAGMENT, False) in units


def test_a_definition_list_entry_is_offered_as_the_document_sets_it():
    """A bulleted "Name: what it does" entry states what the council has; the label is its subject. A register's
    column label names no thing, and the same entry as prose (no bullet) is still a note."""
    entry = NOTES[2]
    units = [u for u in passage_units("Products in use:\n\u2022 " + entry) if u.texts]
    assert [u.texts for u in units] == [[entry]]
    assert units[0].list_item, "drafted as the list item it is: as prose it reads as a note"
    risk = "Risk: Failure to recruit enough qualified care workers, at extra cost to the council."
    assert not [unit for _, unit, _, _ in passage_units("Register:\n\u2022 " + risk) if unit]
    assert not [unit for _, unit, _, _ in passage_units("Products in use. " + entry) if unit]
