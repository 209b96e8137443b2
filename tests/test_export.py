from __future__ import annotations

import json
import re

from assistant.export import plan_json, plan_markdown
from assistant.records import Evidence, Plan, Section, Sentence
from assistant.release import release_state


def _accepted(plan, template):
    return release_state(plan, template, {t.id: "accepted" for t in template.themes})


def test_markdown_has_headings_global_citations_references_and_gaps(corpus_plan, corpus_assistant):
    template = corpus_assistant.template
    clean = [s for s in corpus_plan.sections if not any(x.flags for x in s.sentences)]
    if len(clean) == len(template.themes):
        assert plan_markdown(corpus_plan, template, _accepted(corpus_plan, template)).startswith("# Productivity Plan")
    md = plan_markdown(corpus_plan, template)
    assert md.startswith("> **DRAFT"), "nothing accepted (the CLI's case): a draft, said first"
    assert "Sections not yet accepted (4)" in md.split("# Productivity Plan")[0]
    for theme in corpus_assistant.template.themes:
        assert f"## {theme.heading}" in md
    refs = re.findall(r"^(\d+)\. (.+)$", md.split("## References")[1], re.MULTILINE)
    cited = {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", md) for n in group.split(", ")}
    assert cited == {int(n) for n, _ in refs}, "every marker has a reference and every reference is cited"
    assert any(re.match(r"Council Plan 2024 to 2028 \(council-plan-2024-2028.pdf\), p. \d+$", r) for _, r in refs), "PDF references give the page"
    assert len({r for _, r in refs}) == len(refs), "no two references are the same line"
    assert "Where are you using automation or artificial intelligence" in md.split("## References")[0]


def test_json_gives_sections_sentences_and_citations_with_passages(corpus_plan, corpus_assistant):
    data = json.loads(plan_json(corpus_plan, corpus_assistant.template))
    assert data["total_tokens"] <= data["budget_tokens"]
    section = data["sections"][0]
    for key in ("theme_id", "title", "text", "tokens", "allowance", "gaps", "sentences"):
        assert key in section
    citation = section["sentences"][0]["citations"][0]
    for key in ("number", "source", "title", "page", "chunk_id", "passage"):
        assert key in citation
    assert section["sentences"][0]["text"] in " ".join(citation["passage"].split())
    assert f"[{citation['number']}]" in section["text"]


def _evidence(number, chunk, page, heading="", source="/docs/plan.pdf"):
    return Evidence(number, chunk, "d1", "Council Plan", source, page, heading, f"Passage {chunk} text about savings.")


def test_citations_of_one_document_and_page_are_one_reference(corpus_assistant):
    """[1] and [2] are two passages of page 3: one reference line, one marker; page 4 stays its own."""
    template = corpus_assistant.template
    evidence = [_evidence(1, "c1", 3, "Savings"), _evidence(2, "c2", 3, "Assets"), _evidence(3, "c3", 4)]
    sentences = [Sentence("We saved money.", [1, 2]), Sentence("We sold assets.", [2]), Sentence("We shared services.", [3])]
    plan = Plan(template.id, "Plan", [Section("wasteful_spend", "Waste", sentences, evidence)], 4, 600)
    md = plan_markdown(plan, template)
    refs = md.split("## References")[1].strip().splitlines()
    assert refs == ["1. Council Plan (plan.pdf), p. 3", "2. Council Plan (plan.pdf), p. 4"]
    assert "We saved money. [1] We sold assets. [1] We shared services. [2]" in md


def test_a_reference_is_one_short_line_that_still_locates_the_passage():
    from assistant.references import MAX_REFERENCE_CHARS, reference_text

    long_title = "A very long strategy document title " * 5
    paged = Evidence(12, "c", "d", long_title, "/x/strategy-2024.pdf", 17, "Heading", "text")
    unpaged = Evidence(3, "c9", "d", "Cabinet minutes", "/x/minutes.txt", None, "", "Spend on agency staff fell from 1.6 million to 1.1 million.")
    line = reference_text(paged, 12)
    assert len(line) <= MAX_REFERENCE_CHARS and line.startswith("[12] A very long") and line.endswith("(strategy-2024.pdf), p. 17")
    assert reference_text(unpaged) == "Cabinet minutes (minutes.txt), \u2018Spend on agency staff fell from 1.6\u2026\u2019"
