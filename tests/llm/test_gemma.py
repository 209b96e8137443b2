"""Gemma 3 270M behind llama.cpp's OpenAI-compatible server (run by `make test-llm`): a base model
that invents figures, so after verification none of its inventions may survive."""

from __future__ import annotations

import pytest

from assistant.draft.llm import LLMDrafter
from assistant.llm.local_models import ensure_model
from assistant.llm.local_server import llama_available, serve
from assistant.verify import unsupported_figures, verify_section
from tests.llm.local import local_client as _client

pytestmark = [pytest.mark.llm, pytest.mark.skipif(not llama_available(), reason="llama-cpp-python is not installed: run `make test-llm`")]


@pytest.fixture(scope="module")
def gemma_url(tmp_path_factory):
    with serve(ensure_model("gemma"), n_ctx=4096, log_path=tmp_path_factory.mktemp("gemma") / "server.log") as url:
        yield url


def test_gemma_chat_and_streaming_work_end_to_end(gemma_url):
    client = _client(gemma_url)
    reply = client.complete([{"role": "user", "content": "The council's budget is"}], max_tokens=16)
    assert reply.strip()
    pieces: list[str] = []
    streamed = client.complete([{"role": "user", "content": "The council's budget is"}], max_tokens=16, on_delta=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == streamed


def test_gemma_invented_figures_and_bad_citations_do_not_survive_verification(gemma_url, corpus_assistant, tmp_path):
    settings = corpus_assistant.settings.with_(data_dir=tmp_path, openai_model="local")
    drafter = LLMDrafter(settings, corpus_assistant.embedder, client=_client(gemma_url, max_attempts=2))
    checked = changes = 0
    for theme in ("transformation", "wasteful_spend"):
        request = corpus_assistant._request(theme)
        section = verify_section(drafter.draft(request), embedder=corpus_assistant.embedder)
        changes += len(section.notes)
        evidence = section.evidence_by_number()
        for s in section.sentences:
            assert s.citations and all(n in evidence for n in s.citations), s.text
            assert unsupported_figures(s.text, " ".join(evidence[n].text for n in s.citations)) == [], s.text
            checked += 1
    print(f"gemma: {checked} sentences survived verification; {changes} changes made by it")
    assert changes > 0, "the adversary's inventions were caught and removed, not absent by luck"


def test_gemma_questions_emptied_by_verification_get_the_offline_sentences(gemma_url, corpus_assistant, tmp_path):
    """Through the whole draft stage: where verification removes all Gemma wrote for a question, the section
    still answers it with the offline drafter's verified sentences and says so, instead of an empty paragraph."""
    settings = corpus_assistant.settings.with_(data_dir=tmp_path, openai_model="local")
    drafter = LLMDrafter(settings, corpus_assistant.embedder, client=_client(gemma_url, max_attempts=2))
    request = corpus_assistant._request("transformation")
    section = corpus_assistant._finish(drafter.draft(request), request, drafter)
    evidence = section.evidence_by_number()
    assert section.sentences, section.notes
    for s in section.sentences:
        assert s.citations and unsupported_figures(s.text, " ".join(evidence[n].text for n in s.citations)) == [], s.text
    fallbacks = [n for n in section.notes if n.startswith("Drafted offline instead for")]
    print(f"gemma through the draft stage: {len(section.sentences)} sentences, {len(fallbacks)} questions answered offline")
    for note in fallbacks:
        question = next(q for q in request.theme.questions if q.text in note)
        assert any(s.question_id == question.id for s in section.sentences)
