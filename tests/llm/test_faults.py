"""The LLM drafter against a real HTTP server that misbehaves: retries, format ladder,
fallback and messages, through the real `openai` client."""

from __future__ import annotations

import pytest

from assistant.draft.llm import LLMDrafter
from assistant.llm.client import ChatClient, EndpointConfig, LLMAuthError, LLMError
from assistant.verify import verify_section
from tests.conftest import make_settings
from tests.llm.fake_openai import FakeOpenAI


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
    return len(request.theme.questions) - len(drafter.offline.ranked_candidates(request)[1])


def test_good_endpoint_gives_a_cited_verified_section(server, tmp_path, corpus_assistant, sleeps, request_):
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    assert section.drafter == "llm:fake-model"
    assert section.sentences and all(s.citations for s in section.sentences)
    assert len(server.requests) == _questions_with_evidence(drafter, request_)
    assert server.requests[0]["body"]["response_format"]["type"] == "json_schema"
    assert [g.question_id for g in section.gaps] == ["t4_reporting"]


def test_429_honours_retry_after_then_succeeds(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["429"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    assert sleeps[0] == 1.0, "waited as long as Retry-After said"
    assert section.drafter.startswith("llm:")


def test_5xx_is_retried_with_backoff(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["500", "500"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    assert section.drafter.startswith("llm:")
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]


def test_slow_response_times_out_and_is_retried(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["slow"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps, timeout=1.0)
    section = drafter.draft(request_)
    assert section.drafter.startswith("llm:") and len(sleeps) == 1


def test_endpoint_that_keeps_failing_falls_back_to_offline_and_says_so(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["500"] * 40
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    assert section.drafter == "offline (fallback)"
    assert section.sentences, "the officer still gets a draft"
    assert any("Drafted offline instead" in n and "failed" in n for n in section.notes)


def test_bad_key_is_not_retried_and_the_message_names_what_to_check(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["401"] * 5
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    with pytest.raises(LLMAuthError) as err:
        drafter.client.complete([{"role": "user", "content": "hi"}])
    assert "OPENAI_API_KEY" in str(err.value) and "sk-test" not in str(err.value)
    assert sleeps == []
    section = drafter.draft(request_)
    assert section.drafter == "offline (fallback)" and "OPENAI_API_KEY" in section.notes[0]
    assert "abcdefghijklmnop" not in " ".join(section.notes)


def test_truncated_stream_is_retried_and_the_viewer_told_to_restart(server, tmp_path, corpus_assistant, sleeps):
    server.script = ["truncated"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    seen, restarts = [], []
    text = drafter.client.complete([{"role": "user", "content": "[1] Doc\n<passage>\nThe Council saved a great deal of money last year overall.\n</passage>"}],
                                   on_delta=seen.append, on_restart=lambda: restarts.append(1))
    assert restarts == [1]
    assert text.startswith('{"sentences"') and text.endswith("}")


def test_malformed_and_schema_breaking_replies_step_down_the_ladder(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["malformed", "schema_break"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = drafter.draft(request_)
    formats = [(r["body"].get("response_format") or {}).get("type") for r in server.requests]
    assert formats[:3] == ["json_schema", "json_object", "json_object"]
    assert section.drafter.startswith("llm:") and section.sentences
    # remembered: the next draft starts at the rung that worked
    server.requests.clear()
    drafter.draft(request_)
    assert (server.requests[0]["body"].get("response_format") or {}).get("type") == "json_object"
    assert "schema" not in server.requests[0]["body"]["response_format"]


def test_llama_cpp_style_rejection_of_json_schema_is_not_retried(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["reject_json_schema"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    drafter.draft(request_)
    first, second = server.requests[0]["body"]["response_format"], server.requests[1]["body"]["response_format"]
    assert first["type"] == "json_schema" and second == {"type": "json_object", "schema": second["schema"]}
    assert sleeps == [], "a format rejection is not a fault to wait out"
    assert (tmp_path / "data" / "llm_capabilities.json").read_text().count("json_object_schema") == 1


def test_citation_to_missing_evidence_and_invented_figures_do_not_survive(server, tmp_path, corpus_assistant, sleeps, request_):
    server.script = ["bad_citation", "invent"]
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps)
    section = verify_section(drafter.draft(request_))
    texts = " ".join(s.text for s in section.sentences)
    assert "9.9 million" not in texts and "7.7 million" not in texts
    assert all(n in section.evidence_by_number() for s in section.sentences for n in s.citations)
    assert any("[99]" in n for n in section.notes)


def test_client_gives_up_after_its_attempts(server, tmp_path, corpus_assistant, sleeps):
    server.script = ["500"] * 10
    drafter = make_drafter(server, tmp_path, corpus_assistant, sleeps, max_attempts=3)
    with pytest.raises(LLMError, match="failed 3 times"):
        drafter.client.complete([{"role": "user", "content": "hi"}])
    assert len(server.requests) == 3
