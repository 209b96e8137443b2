from __future__ import annotations

import json
import re

from assistant.export import plan_json, plan_markdown


def test_markdown_has_headings_global_citations_references_and_gaps(corpus_plan, corpus_assistant):
    md = plan_markdown(corpus_plan, corpus_assistant.template)
    assert md.startswith("# Productivity Plan")
    for theme in corpus_assistant.template.themes:
        assert f"## {theme.heading}" in md
    refs = re.findall(r"^(\d+)\. (.+)$", md.split("## References")[1], re.MULTILINE)
    cited = {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", md) for n in group.split(", ")}
    assert cited == {int(n) for n, _ in refs}, "every marker has a reference and every reference is cited"
    assert any("Council Plan 2024 to 2028, p. " in r for _, r in refs), "PDF references give the page"
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
