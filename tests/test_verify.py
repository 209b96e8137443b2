"""Verification: citations must exist, figures must be in the cited passage."""

from __future__ import annotations

from assistant.records import Evidence, Section, Sentence
from assistant.figures import figures
from assistant.verify import FLAG_NUMBER, FLAG_TABLE_ROW, FLAG_UNFINISHED, FLAG_WEAK, unsupported_figures, verify_section

PASSAGE = (
    "Phase one of Brackenridge Forward ran from April 2022 to March 2024. "
    "It delivered £1.9 million of recurring savings against a target of £1.6 million."
)


def _section(*sentences):
    evidence = [Evidence(1, "c1", "d1", "Report", "/r.pdf", 1, "", PASSAGE), Evidence(2, "c2", "d2", "Minutes", "/m.txt", None, "Item 13", "Spend on consultants was £385,000 in 2023/24.")]
    return Section("transformation", "T", list(sentences), evidence)


def test_figures_are_canonical_so_equal_amounts_match():
    assert figures("£1.9 million and 13.5 per cent in 2023/24 [3]") == {"1.9m", "13.5%", "2023", "24"}
    assert unsupported_figures("The programme saved £1,900,000.", PASSAGE) == []
    assert unsupported_figures("The programme saved £1.9m.", PASSAGE) == []


def test_sentence_with_an_invented_figure_is_replaced_by_the_source_sentence():
    invented = Sentence("It delivered £2.5 million of recurring savings against a target of £1.6 million.", [1])
    section = verify_section(_section(invented))
    assert [s.text for s in section.sentences] == ["It delivered £1.9 million of recurring savings against a target of £1.6 million."]
    assert section.sentences[0].citations == [1]
    assert any("2.5m" in note for note in section.notes)


def test_figure_from_another_passage_is_not_accepted_and_nothing_similar_means_removal():
    wrong_source = Sentence("Consultancy costs fell to £385,000 last year.", [1])  # true, but not in passage 1
    section = verify_section(_section(wrong_source))
    assert section.sentences == []
    assert any("removed" in note and "385,000" in note for note in section.notes)


def test_citation_to_missing_evidence_is_dropped_and_flagged():
    s = Sentence("Spend on consultants was £385,000 in 2023/24.", [2, 9])
    section = verify_section(_section(s), strict=False)
    assert section.sentences[0].citations == [2]
    assert section.sentences[0].flags == []
    assert any("[9]" in note for note in section.notes)


def test_weak_support_is_flagged_and_in_strict_mode_not_kept():
    s = Sentence("Residents praised the new library opening hours enormously.", [1])
    assert verify_section(_section(s), strict=False).sentences[0].flags == [FLAG_WEAK]
    strict = verify_section(_section(Sentence("Residents praised the new library opening hours enormously.", [1])))
    assert strict.sentences == [] and "hardly support" in strict.notes[0]


def test_a_copied_table_row_is_not_a_sentence_of_the_plan():
    """A model can copy a table passage's row: every figure is in the source, but it is cells, not a sentence."""
    row = "Savings; Street lighting; Director of Highways; 70.7; 50.9; 61.9; Annual uplift as agreed."
    table = Evidence(3, "c3", "d3", "Budget templates", "/t.pdf", 4, "Savings", row, form="table")
    section = Section("wasteful_spend", "W", [Sentence(row, [3]), Sentence("Spend on consultants was £385,000 in 2023/24.", [2])],
                      _section().evidence + [table])
    assert verify_section(section, strict=False).sentences[0].flags == [FLAG_TABLE_ROW]
    section = verify_section(section)
    assert [s.text for s in section.sentences] == ["Spend on consultants was £385,000 in 2023/24."]
    assert any("table row" in note for note in section.notes)


def test_a_sentence_cut_off_before_its_end_is_replaced_by_the_source_s_whole_sentence():
    """Qwen cut Kent's section 25 statement off before its last clause, with no full stop: the reader cannot tell what
    it left out. Strict verification puts the source's own sentence in its place; an officer's edit is only flagged."""
    cut = Sentence("It delivered £1.9 million of recurring savings against a target", [1])
    assert verify_section(_section(cut), strict=False).sentences[0].flags == [FLAG_UNFINISHED]
    section = verify_section(_section(Sentence("It delivered £1.9 million of recurring savings against a target", [1])))
    assert [s.text for s in section.sentences] == ["It delivered £1.9 million of recurring savings against a target of £1.6 million."]
    assert any("stops before the end of a sentence" in note for note in section.notes)
    for whole in ("Spend on consultants was £385,000 in 2023/24.", "Spend on consultants was £385,000 in 2023/24 [2].",
                  "Spend on consultants was \u201c£385,000 in 2023/24.\u201d"):
        assert FLAG_UNFINISHED not in verify_section(_section(Sentence(whole, [2])), strict=False).sentences[0].flags
    # A trailing ellipsis is the model trailing off, not an ending.
    for trailing in ("Spend on consultants was £385,000 in 2023/24 and...", "Spend on consultants was £385,000 in\u2026 [2]"):
        assert FLAG_UNFINISHED in verify_section(_section(Sentence(trailing, [2])), strict=False).sentences[0].flags


def test_a_question_is_not_a_statement_of_fact():
    s = Sentence("How did phase one of Brackenridge Forward deliver its savings?", [1])
    assert verify_section(_section(s)).sentences == []


def test_uncited_sentence_with_a_figure_is_removed_in_strict_mode():
    s = Sentence("The Council employs 999 people.", [])
    section = verify_section(_section(s), strict=False)
    assert FLAG_NUMBER in section.sentences[0].flags
    assert verify_section(_section(Sentence("The Council employs 999 people.", []))).sentences == []
