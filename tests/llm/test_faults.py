"""The LLM drafter against a real HTTP server that misbehaves: retries, format ladder,
fallback and messages, through the real `openai` client."""

from __future__ import annotations

import re

import pytest

from assistant.draft.llm import LLMDrafter
from assistant.llm.client import ChatClient, EndpointConfig, LLMAuthError, LLMError
from assistant.verify import verify_section
from tests.conftest import make_settings
from tests.llm.fake_openai import FakeOpenAI

AREA = "LLM endpoint faults"


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def sleeps():
    return []


def make_drafter(server, tmp_path, corpus_assistant, sleeps, **config):
    settings = make_settings(tmp_path / "data", openai_model="fake-model")
    cfg = EndpointConfig(base_url=server.base_url, api_key="sk-test-abcdefghijklmnop", model="fake-model", backoff=0.01, timeout=10)
    for k, v in config.items():
        setattr(cfg, k, v)
    drafter = LLMDrafter(settings, corpus_assistant.embedder, client=ChatClient(cfg, sleep=sleeps.append))
    drafter.config = cfg
    return drafter


@pytest.fixture
def request_(corpus_assistant):
    return corpus_assistant._request("barriers")


def _questions_with_evidence(drafter, request):
    """The questions the drafter asks the model (llm_asks: with_evidence): every one with candidate sentences."""
    return sum(1 for q in request.assessment.questions.values() if q.candidates)


def test_good_endpoint_gives_a_cited_verified_section(server, tmp_path, corpus_assistant, sleeps, request_):
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    assert section.drafter == "llm:fake-model"
    assert section.sentences and all(s.citations for s in section.sentences)
    assert len(server.requests) == _questions_with_evidence(drafter, request_)
    assert server.requests[0]["body"]["response_format"]["type"] == "json_schema"
    # The assess stage finds nothing that answers t4_reporting: it is asked, and the passage sentence the model
    # copies for it does not answer it (under the question's threshold, or not naming its subject), so it stays
    # a gap saying why its answer was left out.
    assert not request_.assessment.questions["t4_reporting"].answered
    assert [g.question_id for g in section.gaps] == ["t4_reporting"]
    assert re.match(r"the model answered, but (its answer scored|no sentence of its answer names the question's subject)",
                    section.gaps[0].reason), section.gaps[0].reason


def test_a_model_that_finds_no_answer_makes_a_gap_with_its_reason(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["not_answered"] * 10
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    assert section.sentences == []
    assert [g.question_id for g in section.gaps] == [q.id for q in request_.theme.questions]
    asked = [g for g in section.gaps if request_.assessment.questions[g.question_id].candidates]
    assert asked and all("the model found no answer" in g.reason for g in asked)


def test_429_honours_retry_after_then_succeeds(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["429"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    assert sleeps[0] == 1.0, "waited as long as Retry-After said"
    assert section.drafter.startswith("llm:") and section.sentences and all(s.citations for s in section.sentences)
    reliability.record(AREA, "429 with Retry-After: 1", f"retried once after waiting the 1 s Retry-After asked, then drafted by "
                       f"the model; {len(section.sentences)} sentences cited and verified")


def test_5xx_is_retried_with_backoff(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["500", "500"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    assert section.drafter.startswith("llm:")
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]
    reliability.record(AREA, "HTTP 500 twice, then a good reply", "retried twice with growing backoff, then drafted by the model")


def test_slow_response_times_out_and_is_retried(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["slow"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps, timeout=1.0)
    section = drafter.draft(request_)
    assert section.drafter.startswith("llm:") and len(sleeps) == 1
    reliability.record(AREA, "reply slower than the client timeout", "timed out, retried once, then drafted by the model")


def test_endpoint_that_keeps_failing_falls_back_to_offline_and_says_so(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["500"] * 40
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    assert section.drafter == "offline (fallback)"
    assert section.sentences, "the officer still gets a draft"
    assert any("Drafted offline instead" in n and "failed" in n for n in section.notes)
    assert len(server.requests) == 4 and len(sleeps) == 3, "four attempts, then the fallback"
    reliability.record(AREA, "HTTP 500 on every attempt", f"4 attempts, then the section was drafted offline "
                       f"({len(section.sentences)} cited sentences) with the note \u201c{section.notes[-1][:70]}\u2026\u201d")


def test_bad_key_is_not_retried_and_the_message_names_what_to_check(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["401"] * 5
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    with pytest.raises(LLMAuthError) as err:
        drafter.client.complete([{"role": "user", "content": "hi"}])
    assert "OPENAI_API_KEY" in str(err.value) and "sk-test" not in str(err.value)
    assert sleeps == []
    section = drafter.draft(request_)
    assert section.drafter == "offline (fallback)" and "OPENAI_API_KEY" in section.notes[0]
    assert "abcdefghijklmnop" not in " ".join(section.notes)
    reliability.record(AREA, "HTTP 401: bad API key", "not retried; drafted offline; the note names OPENAI_API_KEY and "
                       "OPENAI_BASE_URL to check and does not echo the key")


def test_truncated_stream_is_retried_and_the_viewer_told_to_restart(server, tmp_path, corpus_assistant, sleeps, reliability):
    server.script = ["truncated"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    seen, restarts = [], []
    text = drafter.client.complete([{"role": "user", "content": "[1] Doc\n<passage>\nThe Council saved a great deal of money last year overall.\n</passage>"}],
                                   on_delta=seen.append, on_restart=lambda: restarts.append(1))
    assert restarts == [1]
    assert text.startswith('{"sentences"') and text.endswith("}")
    reliability.record(AREA, "stream cut off before finish_reason", "detected as truncated, the viewer told to clear the "
                       "partial text, retried; the full reply was used")


def test_malformed_and_schema_breaking_replies_step_down_the_ladder(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["malformed", "schema_break"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    formats = [(r["body"].get("response_format") or {}).get("type") for r in server.requests]
    assert formats[:3] == ["json_schema", "json_object", "json_object"]
    assert sleeps == [], "an unusable reply steps down the ladder at once; it is not a fault to wait out"
    assert section.drafter.startswith("llm:") and section.sentences
    # remembered: the next draft starts at the rung that worked
    server.requests.clear()
    drafter.draft(request_)
    assert (server.requests[0]["body"].get("response_format") or {}).get("type") == "json_object"
    assert "schema" not in server.requests[0]["body"]["response_format"]
    reliability.record(AREA, "malformed JSON, then JSON with keys of the model's own choosing",
                       "each stepped down the response-format ladder (json_schema, json_object with schema, json_object) "
                       "without waiting; drafted by the model; the working format remembered for the endpoint")


def test_llama_cpp_style_rejection_of_json_schema_is_not_retried(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["reject_json_schema"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    drafter.draft(request_)
    first, second = server.requests[0]["body"]["response_format"], server.requests[1]["body"]["response_format"]
    assert first["type"] == "json_schema" and second == {"type": "json_object", "schema": second["schema"]}
    assert sleeps == [], "a format rejection is not a fault to wait out"
    assert (tmp_path / "data" / "llm_capabilities.json").read_text().count("json_object_schema") == 1
    reliability.record(AREA, "HTTP 500 naming response_format (llama.cpp rejecting json_schema)",
                       "not retried; stepped down to json_object with schema and remembered it")


def test_citation_to_missing_evidence_and_invented_figures_do_not_survive(server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    server.script = ["bad_citation", "invent"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    texts = " ".join(s.text for s in section.sentences)
    assert "9.9 million" not in texts and "7.7 million" not in texts
    assert all(n in section.evidence_by_number() for s in section.sentences for n in s.citations)
    assert any("[99]" in n for n in section.notes)
    invented = next(n for n in section.notes if "7.7 million" in n).split(" ", 1)[0]  # "replaced" or "removed"
    reliability.record(AREA, "reply citing passage [99] (none exists) and a reply inventing £7.7 million in 2019",
                       f"citation [99] dropped and the uncited sentence removed; the invented-figure sentence {invented} "
                       f"(its figures are not in its cited passage); {len(section.notes)} changes listed in the section notes")


def test_a_question_whose_model_sentences_all_fail_verification_gets_the_offline_sentences(
        server, tmp_path, corpus_assistant, sleeps, request_, reliability):
    """A model that invents a figure for every question: verification removes every sentence it wrote, and
    instead of an empty section each question gets the offline drafter's (verified) sentences, with a note."""
    server.script = ["invent"] * 20
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = corpus_assistant._finish(drafter.draft(request_), request_, drafter)
    # Every question with candidates is asked; only answers to the ones the assess stage found answered reach
    # verification (the invented sentence for a gated question scores under its threshold and is left out first).
    assert len(server.requests) == _questions_with_evidence(drafter, request_)
    asked = [q for q in request_.theme.questions if request_.assessment.questions[q.id].answered]
    assert asked
    assert section.sentences and "7.7 million" not in " ".join(s.text for s in section.sentences)
    evidence = section.evidence_by_number()
    for s in section.sentences:  # each cites the passage it came from, as the offline drafter's sentences do
        assert s.citations and all(n in evidence for n in s.citations)
    answered = {s.question_id for s in section.sentences}
    fallbacks = [n for n in section.notes if n.startswith("Drafted offline instead for")]
    assert len(fallbacks) == len(answered) >= 1
    for question in asked:
        if question.id in answered:
            assert any(question.text in n and "verification removed all 1 sentences the model wrote" in n for n in fallbacks)
        else:
            assert any(g.question_id == question.id for g in section.gaps)
    assert [s.paragraph for s in section.sentences] == sorted(s.paragraph for s in section.sentences)
    assert section.drafter == "llm:fake-model"
    reliability.record(AREA, f"a model inventing a figure for each of the {len(server.requests)} questions it was asked",
                       f"every invented sentence removed; {len(answered)} questions answered by the offline drafter's "
                       f"{len(section.sentences)} verified sentences instead, each with a note saying so")


def test_client_gives_up_after_its_attempts(server, tmp_path, corpus_assistant, sleeps, reliability):
    server.script = ["500"] * 10
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps, max_attempts=3)
    with pytest.raises(LLMError, match="failed 3 times"):
        drafter.client.complete([{"role": "user", "content": "hi"}])
    assert len(server.requests) == 3
    reliability.record(AREA, "client with max_attempts=3 against a server that always fails",
                       "gave up after exactly 3 requests with \u201cthe model endpoint failed 3 times\u201d")


# -- the workspace: a failing endpoint loses no draft and the officer is told -------------------------
WORKSPACE_DRAFTER = "llm-faults-test"
API_KEY = "sk-test-secret-0123456789abcdef"


@pytest.fixture
def llm_workspace(server, corpus_assistant, tmp_path, sleeps, monkeypatch):
    """A Workspace whose chat drafts with the LLM drafter against the fake server, configured from the
    environment an operator would set; only the retry waits are recorded instead of slept."""
    from assistant.draft import register_drafter
    from assistant.draft import _DRAFTERS
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.service import Workspace

    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    def factory(settings):
        config = EndpointConfig.from_env("fake-model", backoff=0.01, timeout=10)
        drafter = LLMDrafter(settings.with_(data_dir=tmp_path / "llm"), corpus_assistant.embedder,
                             client=ChatClient(config, sleep=sleeps.append))
        drafter.config = config
        return drafter

    register_drafter(WORKSPACE_DRAFTER, factory)
    try:
        yield Workspace(corpus_assistant, WorkspaceDB(tmp_path / "workspace.sqlite3"))
    finally:
        _DRAFTERS.pop(WORKSPACE_DRAFTER, None)


def chat(workspace, plan_id, theme, message):
    return list(workspace.chat("ann", plan_id, theme, message, drafter=WORKSPACE_DRAFTER))


def test_workspace_draft_when_the_endpoint_fails_uses_the_offline_draft_and_says_why(llm_workspace, server, reliability):
    server.script = ["500"] * 200
    plan = llm_workspace.create_plan("ann", "Plan")
    events = chat(llm_workspace, plan.id, "transformation", "Draft this section")
    done = events[-1]
    assert done.kind == "done", done.text
    section = done.record.section
    assert section.drafter == "offline (fallback)" and section.sentences and all(s.citations for s in section.sentences)
    reply = done.text
    assert "Drafted offline instead" in reply and "failed" in reply and "offline draft" in reply
    assert API_KEY not in reply and API_KEY not in " ".join(section.notes)
    thread = llm_workspace.messages("ann", plan.id, "transformation")
    assert [m["role"] for m in thread] == ["user", "assistant"] and thread[1]["content"] == reply
    assert llm_workspace.section("ann", plan.id, "transformation").status == "drafted"
    reliability.record(AREA, "workspace chat: first draft while the endpoint returns HTTP 500",
                       f"after 4 attempts per call the section was drafted offline and saved ({len(section.sentences)} "
                       "cited sentences); the reply says the endpoint failed, why, and that the offline draft was used")


def test_workspace_revision_when_the_endpoint_fails_keeps_the_draft(llm_workspace, server, reliability):
    plan = llm_workspace.create_plan("ann", "Plan")
    first = chat(llm_workspace, plan.id, "barriers", "Draft this section")[-1]
    assert first.kind == "done" and first.record.section.drafter == "llm:fake-model", first.text
    before = first.record.section
    thread_before = llm_workspace.messages("ann", plan.id, "barriers")

    server.script = ["500"] * 200
    done = chat(llm_workspace, plan.id, "barriers", "add the temporary accommodation pressures")[-1]
    assert done.kind == "done", done.text
    after = done.record.section
    assert "Revised offline instead" in done.text and "failed" in done.text
    assert after.drafter == "offline (fallback)"
    kept = [s.text for s in before.sentences if s.text in {t.text for t in after.sentences}]
    trimmed = [n for n in after.notes if "shorten" in n or "drop" in n]
    assert kept == [s.text for s in before.sentences] or trimmed, "the model's draft was lost without a word"
    thread = llm_workspace.messages("ann", plan.id, "barriers")
    assert thread[: len(thread_before)] == thread_before and [m["role"] for m in thread[len(thread_before):]] == ["user", "assistant"]
    reliability.record(AREA, "workspace chat: revision of a model-drafted section while the endpoint returns HTTP 500",
                       f"revised offline: {len(kept)} of the model's {len(before.sentences)} sentences kept"
                       + (f", the rest trimmed to fit as the notes say" if len(kept) < len(before.sentences) else "")
                       + "; earlier conversation unchanged; the reply says the endpoint failed and the revision was made offline")


def test_workspace_bad_key_message_tells_the_officer_what_to_check(llm_workspace, server, sleeps, reliability):
    server.script = ["401"] * 50
    plan = llm_workspace.create_plan("ann", "Plan")
    done = chat(llm_workspace, plan.id, "technology", "Draft this section")[-1]
    assert done.kind == "done" and "OPENAI_API_KEY" in done.text and API_KEY not in done.text
    assert sleeps == [], "a refused key is not retried"
    reliability.record(AREA, "workspace chat: endpoint refuses the API key (HTTP 401)",
                       "not retried; offline draft saved; the reply names OPENAI_API_KEY / OPENAI_BASE_URL to check, never the key")


def test_workspace_truncated_stream_restarts_the_shown_text_and_drafts(llm_workspace, server, reliability):
    server.script = ["truncated"]
    plan = llm_workspace.create_plan("ann", "Plan")
    events = chat(llm_workspace, plan.id, "barriers", "Draft this section")
    kinds = [e.kind for e in events]
    assert "restart" in kinds and kinds.index("restart") > kinds.index("text"), "partial text shown, then cleared"
    assert events[-1].kind == "done" and events[-1].record.section.drafter == "llm:fake-model"
    reliability.record(AREA, "workspace chat: the answer's stream is cut off mid-way",
                       "the partial text was shown, then cleared with a restart event; the retry's answer was saved")


def test_workspace_turn_abandoned_mid_stream_leaves_the_section_as_it_was(llm_workspace, server, reliability):
    plan = llm_workspace.create_plan("ann", "Plan")
    before = chat(llm_workspace, plan.id, "barriers", "Draft this section")[-1].record.section
    thread_before = llm_workspace.messages("ann", plan.id, "barriers")
    server.script = ["slow"] * 5
    turn = llm_workspace.chat("ann", plan.id, "barriers", "Redraft this section", drafter=WORKSPACE_DRAFTER)
    next(turn)  # the first streamed text arrives; then the officer closes the page
    turn.close()
    assert llm_workspace.section("ann", plan.id, "barriers").section.to_dict() == before.to_dict()
    thread = llm_workspace.messages("ann", plan.id, "barriers")
    assert thread[:-1] == thread_before and thread[-1] == {"role": "user", "content": "Redraft this section"}
    reliability.record(AREA, "workspace chat: the officer leaves while the model is still answering",
                       "nothing half-written saved: the previous section unchanged; the officer's message kept in the conversation")
