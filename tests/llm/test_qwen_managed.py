"""The managed local server (`--local-model`) with the real Qwen model and llama.cpp (`make test-llm`):
started and health-checked, answering, killed and restarted, and gone when its app is killed.
test_managed.py covers the same and the failure cases with a stand-in server in the normal suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from assistant.llm.backend import chat_backend
from assistant.llm.local_server import llama_available
from assistant.llm.managed import LocalModelBackend, start_local_model
from tests.conftest import make_settings
from tests.llm.test_managed import _APP, _gone

pytestmark = [pytest.mark.llm, pytest.mark.skipif(not llama_available(), reason="llama-cpp-python is not installed: run `make test-llm`")]

AREA = "Managed local model server"
ASK = [{"role": "user", "content": "Reply with the single word: yes"}]


@pytest.fixture
def qwen_settings(tmp_path, monkeypatch):
    for name in ("ASSISTANT_LOCAL_MODEL", "ASSISTANT_LOCAL_MODEL_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = make_settings(tmp_path / "data")
    yield settings
    LocalModelBackend.for_settings(settings).stop()
    LocalModelBackend._shared.pop(settings.data_dir.resolve(), None)


def test_qwen_starts_answers_and_is_restarted_when_killed(qwen_settings, reliability):
    settings, backend = start_local_model(qwen_settings)
    assert backend.server.healthy() and backend.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    client = chat_backend(settings)
    assert client.complete(ASK, None, 5).strip()
    first = backend.server.pid
    os.kill(first, signal.SIGKILL)
    assert _gone(first)
    assert client.complete(ASK, None, 5).strip()  # the next request restarts it
    assert backend.server.restarts == 1 and backend.server.pid != first
    reliability.record(AREA, "Qwen on llama.cpp killed (SIGKILL) between requests", "restarted on the next request, which it answered")


def test_qwen_server_ends_when_its_app_is_killed(qwen_settings, tmp_path, monkeypatch, reliability):
    app = subprocess.Popen([sys.executable, "-c", _APP, str(tmp_path / "app"), "kill"], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(app.stdout.readline())
        os.kill(pid, 0)
        app.kill()
        app.wait(timeout=30)
        assert _gone(pid, within=15), f"the llama.cpp server (pid {pid}) outlived the app"
    finally:
        app.kill()
    reliability.record(AREA, "the app killed (SIGKILL) with Qwen's llama.cpp server running", "the server ended with it; no orphan")
