"""Rendering a section as text and parsing an officer's edit back: prose, citations and list items."""

from __future__ import annotations

from assistant.layout import body_pages, paragraph_pages
from assistant.records import Section, Sentence
from assistant.render import parse_section_text, section_body

INTRO = Sentence("The council uses three tools to save staff time.", [1], 0)
ENTRIES = [Sentence("Minute Taker: An assistant that drafts minutes for staff to check.", [2], 0, list_item=True),
           Sentence("Form Reader: Automated checks of blue badge applications against the rules.", [2, 3], 0, list_item=True)]
AFTER = Sentence("Staff saved 400 hours in the first year.", [3], 0)
NEXT = Sentence("The data strategy was adopted in 2024.", [4], 1)


def _section(sentences: list[Sentence]) -> Section:
    return Section("technology", "Technology", sentences, [])


def test_list_items_are_bullets_under_their_lead_in_and_prose_after_them_is_a_new_block():
    body = section_body(_section([INTRO, *ENTRIES, AFTER, NEXT]))
    assert body == ("The council uses three tools to save staff time. [1]\n"
                    "- Minute Taker: An assistant that drafts minutes for staff to check. [2]\n"
                    "- Form Reader: Automated checks of blue badge applications against the rules. [2, 3]\n\n"
                    "Staff saved 400 hours in the first year. [3]\n\n"
                    "The data strategy was adopted in 2024. [4]")


def test_an_edit_keeps_list_items_and_their_citations_and_renders_back_the_same():
    body = section_body(_section([INTRO, *ENTRIES, AFTER, NEXT]))
    parsed = parse_section_text(body)
    assert [(s.text, s.citations, s.list_item) for s in parsed] == [
        (s.text, s.citations, s.list_item) for s in [INTRO, *ENTRIES, AFTER, NEXT]]
    assert [s.paragraph for s in parsed] == [0, 0, 0, 1, 2]  # prose after a list is its own block
    assert section_body(_section(parsed)) == body


def test_an_officer_s_own_bullets_are_list_items_and_a_hyphen_inside_prose_is_not():
    parsed = parse_section_text("Savings came from:\n* shared legal services [1]\n\u2022 fewer agency staff [2]\n"
                                "The cost fell - by a third - in 2024. [3]")
    assert [(s.text, s.citations, s.list_item) for s in parsed] == [
        ("Savings came from:", [], False), ("shared legal services", [1], True), ("fewer agency staff", [2], True),
        ("The cost fell - by a third - in 2024.", [3], False)]


def test_the_page_meter_counts_each_list_item_as_a_bullet_of_its_own():
    """Each item starts a line of its own, and bullets sit closer than paragraphs (no gap between them)."""
    item = "x" * 100
    two_items = section_body(_section([Sentence(item, [], 0, list_item=True), Sentence(item, [], 0, list_item=True)]))
    one_item = section_body(_section([Sentence(item * 2, [], 0, list_item=True)]))
    as_prose = section_body(_section([Sentence(item, [], 0), Sentence(item, [], 1)]))
    assert body_pages(two_items) > body_pages(one_item)
    assert body_pages(two_items) < body_pages(as_prose) == 2 * paragraph_pages(item)
