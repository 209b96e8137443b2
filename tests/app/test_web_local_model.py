"""The workspace on the managed local model (`serve --local-model`), through gradio_client: the banner
names the local model, a section's answer streams into the chat, and a revision goes through the same
model. The model server is a real child process the product starts (the stand-in llama server of
tests/llm/test_managed.py; tests/llm/test_qwen_managed.py runs the real model)."""

from __future__ import annotations

import httpx
import pytest

from assistant.api import Assistant
from assistant.app.server import start
from assistant.llm.managed import LocalModelBackend, start_local_model
from tests.app.conftest import chat_text, free_port
from tests.app.test_web_flows import CHAT, EDITOR, create_plan, shown
from tests.app.conftest import plan_free_settings
from tests.llm.test_managed import fake_llama  # noqa: F401 - the fixture


@pytest.fixture
def local_app(corpus_assistant, fake_llama, tmp_path):  # noqa: F811
    # The corpus's store, drafted with the local model (started as `serve --local-model` starts it).
    settings, backend = start_local_model(plan_free_settings(corpus_assistant, tmp_path))
    running = start(settings, port=free_port(), assistant=Assistant(settings))
    try:
        yield running, backend
    finally:
        running.close()
        backend.stop()
        LocalModelBackend._shared.pop(settings.data_dir.resolve(), None)


def test_workspace_drafts_streams_and_revises_with_the_local_model(local_app):
    from gradio_client import Client

    running, backend = local_app
    config = httpx.get(f"{running.url}config").text
    assert "Drafting with the local model tiny-test-model" in config and backend.server.base_url in config

    c = Client(running.url, verbose=False)
    plan_id = create_plan(c, "Local plan")
    job = c.submit(plan_id, "barriers", api_name="/draft_section")
    final = job.result(timeout=600)
    streamed = [u[CHAT][-1] for u in job.outputs()[:-1] if isinstance(u[CHAT], list) and u[CHAT] and u[CHAT][-1]["role"] == "assistant"]
    assert streamed, "no partial answer was shown while the local model wrote"
    text_of = chat_text  # chat turns arrive Markdown-escaped
    assert "with the llm:tiny-test-model drafter" in text_of(final[CHAT][-1]["content"])
    assert "[1]" in shown(final[EDITOR]) or "[2]" in shown(final[EDITOR])

    pid = backend.server.pid
    revised = c.predict(plan_id, "barriers", "add the temporary accommodation pressures", api_name="/chat")
    assert [m["role"] for m in revised[CHAT]][-2:] == ["user", "assistant"]
    assert "offline" not in text_of(revised[CHAT][-1]["content"]).lower(), revised[CHAT][-1]
    assert backend.server.pid == pid and backend.server.running()  # the same server, still managed
