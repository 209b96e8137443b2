"""The workspace on the LLM drafter, against a real OpenAI-compatible HTTP server on loopback:
the answer streams into the chat as readable sentences, the result is verified, the banner
names the endpoint and no page carries the API key."""

from __future__ import annotations

import httpx
import pytest

from assistant.app.server import start
from tests.app.conftest import chat_text, free_port
from tests.app.test_web_flows import CHAT, EDITOR, create_plan, shown
from tests.llm.fake_openai import FakeOpenAI

API_KEY = "sk-test-secret-0123456789abcdef"


@pytest.fixture
def llm_app(corpus_assistant, monkeypatch):
    with FakeOpenAI() as fake:
        # The environment an operator would set; the client itself is untouched.
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        settings = corpus_assistant.settings.with_(drafter="llm", openai_model="fake-model", llm_concurrency=1)
        from assistant.api import Assistant

        running = start(settings, port=free_port(), assistant=Assistant(settings))
        try:
            yield running, fake
        finally:
            running.close()


def test_model_answer_streams_into_the_chat_and_is_verified(llm_app):
    from gradio_client import Client

    running, fake = llm_app
    c = Client(running.url, verbose=False)
    plan_id = create_plan(c, "Model plan")
    job = c.submit(plan_id, "barriers", api_name="/draft_section")
    final = job.result(timeout=600)
    updates = job.outputs()
    streamed = [u[CHAT][-1]["content"] for u in updates[:-1]
                if isinstance(u[CHAT], list) and u[CHAT] and u[CHAT][-1]["role"] == "assistant"]
    assert streamed, "no partial answer was shown while the model wrote"
    text_of = chat_text
    assert any(text_of(s).endswith("\u2026") and '"evidence"' not in text_of(s) for s in streamed)  # sentences, not raw JSON
    assert "[1]" in shown(final[EDITOR]) or "[2]" in shown(final[EDITOR])
    assert "with the llm:fake-model drafter" in text_of(final[CHAT][-1]["content"])
    assert fake.requests, "the model endpoint was never called"

    config = httpx.get(f"{running.url}config").text
    assert "fake-model" in config and fake.base_url in config  # the banner names model and endpoint
    assert API_KEY not in config and API_KEY not in shown(final[EDITOR]) and API_KEY not in str(final[CHAT])
