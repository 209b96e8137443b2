"""The core API's revision and streaming, offline and through a real OpenAI-compatible HTTP server."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.sentences import normalise
from tests.conftest import make_settings
from tests.councils import write_councils
from tests.grounding import verbatim_in
from tests.llm.fake_openai import FakeOpenAI


def test_offline_revision_shorter_cuts_and_stays_cited(corpus_plan, corpus_assistant):
    section = corpus_plan.sections[0]
    shorter = corpus_assistant.revise_section(section, "make it shorter", drafter="offline")
    assert shorter.tokens < section.tokens * 0.8
    assert shorter.sentences and all(s.citations for s in shorter.sentences)
    assert {s.text for s in shorter.sentences} <= {s.text for s in section.sentences}


def test_offline_revision_adds_what_the_documents_say_on_a_topic(corpus_plan, corpus_assistant):
    section = next(s for s in corpus_plan.sections if s.theme_id == "technology")
    assert "temporary accommodation" not in " ".join(s.text for s in section.sentences)
    revised = corpus_assistant.revise_section(section, "add the temporary accommodation pressures", drafter="offline")
    added = [s for s in revised.sentences if "temporary accommodation" in s.text]
    assert added, revised.notes
    evidence = revised.evidence_by_number()
    for s in added:
        assert verbatim_in(s.text, evidence[s.citations[0]].text)
    assert revised.tokens <= revised.allowance
    old_numbers = {e.number: e.chunk_id for e in section.evidence}
    assert all(evidence[n].chunk_id == c for n, c in old_numbers.items()), "existing citation numbers stay valid"


def test_revision_on_a_topic_the_documents_lack_says_so(corpus_plan, corpus_assistant):
    section = corpus_plan.sections[2]
    revised = corpus_assistant.revise_section(section, "add our spending on the Mars colony", drafter="offline")
    assert [s.text for s in revised.sentences] == [s.text for s in section.sentences]
    assert any("nothing in the documents" in n for n in revised.notes)


@pytest.fixture
def llm_assistant(corpus_assistant, monkeypatch):
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-for-fake-server")
        yield Assistant(corpus_assistant.settings.with_(openai_model="fake")), server


def test_stream_section_yields_text_then_the_verified_section(llm_assistant):
    assistant, server = llm_assistant
    events = list(assistant.stream_section("barriers", drafter="llm"))
    kinds = [e.kind for e in events]
    assert kinds.count("text") > 3 and kinds[-1] == "section"
    section = events[-1].section
    assert section.drafter == "llm:fake" and section.sentences
    assert all(s.citations for s in section.sentences)
    assert all(r["body"].get("stream") for r in server.requests)


def test_auto_drafter_is_llm_when_an_endpoint_is_configured(llm_assistant):
    from assistant.draft import resolve_drafter_name

    assistant, _ = llm_assistant
    assert resolve_drafter_name(assistant.settings) == "llm"


def test_llm_revision_keeps_valid_citations_and_reverifies(llm_assistant, corpus_plan):
    assistant, server = llm_assistant
    section = corpus_plan.sections[3]
    server.script = ["bad_citation"]
    revised = assistant.revise_section(section, "say more about temporary accommodation", drafter="llm")
    evidence = revised.evidence_by_number()
    assert all(n in evidence for s in revised.sentences for n in s.citations)
    assert "9.9 million" not in " ".join(s.text for s in revised.sentences)
    assert any("[99]" in n for n in revised.notes)


def test_every_guidance_question_gets_its_share_of_the_theme_evidence(corpus_assistant):
    """The evidence cap is shared: the last question of a theme is not left with what the
    first ones did not take (the procurement question once drafted from two passages)."""
    drafting = corpus_assistant.tuning.drafting  # retrieval depth is tuning data (prompts/tuning/)
    MAX_EVIDENCE_PER_THEME, PASSAGES_PER_QUESTION = drafting.max_evidence_per_theme, drafting.passages_per_question
    for theme in corpus_assistant.template.themes:
        evidence, by_question = corpus_assistant.gather_evidence(theme)
        assert len(evidence) <= MAX_EVIDENCE_PER_THEME
        assert [e.number for e in evidence] == list(range(1, len(evidence) + 1))
        fair_share = min(PASSAGES_PER_QUESTION, MAX_EVIDENCE_PER_THEME // len(theme.questions))
        for question in theme.questions:
            best = corpus_assistant.retriever.search(question.query(), k=PASSAGES_PER_QUESTION)
            numbers = by_question[question.id]
            assert len(numbers) >= fair_share, f"{question.id} got {len(numbers)} passages"
            assert evidence[numbers[0] - 1].chunk_id == best[0].chunk.id, "its best passage comes first"


def test_a_subject_pool_puts_the_passages_naming_a_question_s_subject_first(corpus_assistant):
    """Tuning `subject_pool`: retrieve more passages for a question with subject terms and keep first those that name
    its subject (the others hold nothing that can answer it); a pool of 1 is plain retrieval."""
    theme = corpus_assistant.template.theme("wasteful_spend")
    shipped = corpus_assistant.tuning
    try:
        corpus_assistant.tuning = shipped.with_drafting(subject_pool=1)
        plain_evidence, plain = corpus_assistant.gather_evidence(theme)
        corpus_assistant.tuning = shipped.with_drafting(subject_pool=3)
        pooled_evidence, pooled = corpus_assistant.gather_evidence(theme)
    finally:
        corpus_assistant.tuning = shipped
    k = shipped.drafting.passages_per_question
    plain_text = {e.number: e.text for e in plain_evidence}
    pooled_text = {e.number: e.text for e in pooled_evidence}
    changed = 0
    for question in theme.questions:
        pool = corpus_assistant.retriever.search(question.query(), k=3 * k)
        naming = [h for h in pool if question.names_subject(h.chunk.text)]
        names = [question.names_subject(pooled_text[n]) for n in pooled[question.id]]
        assert names == sorted(names, reverse=True), question.id  # naming passages first
        assert sum(names) == min(len(naming), len(pooled[question.id])), question.id
        plain_names = sum(question.names_subject(plain_text[n]) for n in plain[question.id])
        assert sum(names) >= plain_names
        changed += sum(names) > plain_names
    assert changed, "on the sample corpus the pool finds more passages naming the subject for some question"


def test_drafting_section_by_section_gives_each_sentence_the_section_the_whole_plan_does(tmp_path):
    """The web app drafts one section at a time, in the officer's order. A sentence that answers another theme's
    question more closely is left to that theme, as when the whole plan is drafted at once, so drafting the first
    section does not take a later one's answers (here a council's legacy-system, data and automation sentences,
    which the transformation questions also score above their threshold)."""
    write_councils(tmp_path / "docs")
    assistant = Assistant(make_settings(tmp_path / "data"))
    assert assistant.ingest([tmp_path / "docs"]).ok
    whole = {normalise(s.text): section.theme_id for section in assistant.draft_plan(drafter="offline").sections
             for s in section.sentences}
    one_by_one, used = {}, set()
    for theme in assistant.template.themes:
        section = assistant.draft_section(theme.id, exclude=used, drafter="offline")
        one_by_one.update({normalise(s.text): theme.id for s in section.sentences})
        used |= {normalise(s.text) for s in section.sentences}
    assert one_by_one == whole
    technology = {text for text, theme in whole.items() if theme == "technology"}
    assert any("legacy finance system" in text for text in technology) and any("chatbot" in text for text in technology)
