"""The managed local model server (`--local-model`) as a real child process: started and health-checked,
restarted when killed, a port in use, a missing or corrupt model file, and never outliving the app.

The child is the product's own launcher (assistant/llm/llama_child.py) running a stand-in for
llama-cpp-python's server (tests/llm/fake_llama: the fake OpenAI server of test_faults.py on the
port it is given), so process management is tested in the normal suite without the 1 GB model;
test_qwen_managed.py does the same with the real model (`-m llm`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import PROJECT_ROOT
from assistant.draft.llm import LLMDrafter
from assistant.llm.local_server import LocalServerError, free_port
from assistant.llm.managed import (PORTABLE_CMAKE_ARGS, LocalModelBackend, llama_cmake_args, llama_install_steps,
                                   llama_wheels_dir, start_local_model)
from tests.conftest import make_settings

AREA = "Managed local model server"
FAKE_LLAMA = Path(__file__).parent / "fake_llama"


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A child of this process that has exited stays a zombie until reaped.
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        try:  # an exited process whose new parent has not reaped it yet is a zombie: ended, holding nothing
            if "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text():
                return True
        except OSError:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def fake_llama(tmp_path, monkeypatch) -> Path:
    """The environment that makes the product launch the stand-in server for a GGUF-looking model file."""
    model = tmp_path / "tiny-test-model.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    monkeypatch.setenv("ASSISTANT_LLAMA_PYTHON", sys.executable)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAKE_LLAMA), str(PROJECT_ROOT)]))
    monkeypatch.setenv("ASSISTANT_LOCAL_MODEL", str(model))
    monkeypatch.delenv("ASSISTANT_LOCAL_MODEL_PORT", raising=False)
    return model


@pytest.fixture
def local_settings(tmp_path, fake_llama):
    settings = make_settings(tmp_path / "data")
    yield settings
    LocalModelBackend.for_settings(settings).stop()
    LocalModelBackend._shared.pop(Path(settings.data_dir).resolve(), None)


def test_starts_on_a_free_loopback_port_after_its_health_check_and_drafts(local_settings, corpus_assistant, reliability):
    said = []
    settings, backend = start_local_model(local_settings, said.append)
    server = backend.server
    assert server.running() and server.healthy()  # up before first use
    assert server.base_url.startswith("http://127.0.0.1:")
    assert any("Starting the local model tiny-test-model" in m for m in said) and any("is up on" in m for m in said)
    assert "the local model tiny-test-model" in backend.describe() and server.base_url in backend.describe()
    assert (settings.data_dir / "logs" / "local-model.log").read_text().count("starting on 127.0.0.1") == 1
    from assistant.api import Assistant
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.service import Workspace

    banner = Workspace(Assistant(settings), WorkspaceDB(settings.data_dir / "ws.sqlite3")).drafter_banner()
    assert banner.startswith("Drafting with the local model tiny-test-model") and server.base_url in banner

    drafter = LLMDrafter(settings, corpus_assistant.embedder)
    request = corpus_assistant._request("barriers")
    section = corpus_assistant._finish(drafter.draft(request), request, drafter)
    assert section.drafter == "llm:tiny-test-model", section.notes
    assert section.sentences and all(s.citations for s in section.sentences)
    reliability.record(AREA, "--local-model: first start", f"started on {server.base_url} after its health check, "
                       f"drafted {len(section.sentences)} cited sentences through it; log in the data dir")


def test_a_killed_server_is_restarted_before_the_next_request(local_settings, corpus_assistant, reliability):
    settings, backend = start_local_model(local_settings)
    first = backend.server.pid
    os.kill(first, signal.SIGKILL)
    assert _gone(first)
    drafter = LLMDrafter(settings, corpus_assistant.embedder)
    section = drafter.draft(corpus_assistant._request("barriers"))
    assert section.drafter == "llm:tiny-test-model", section.notes  # not the offline fallback
    assert backend.server.restarts == 1 and backend.server.pid != first and backend.server.running()
    reliability.record(AREA, "the server killed (SIGKILL) between requests",
                       "restarted on the next request, which the model answered; no fallback needed")


def test_a_port_in_use_is_a_clear_error_naming_it(local_settings, monkeypatch, reliability):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("ASSISTANT_LOCAL_MODEL_PORT", str(port))
        with pytest.raises(LocalServerError, match=f"port {port} on 127.0.0.1 is in use.*ASSISTANT_LOCAL_MODEL_PORT"):
            start_local_model(local_settings)
    reliability.record(AREA, f"ASSISTANT_LOCAL_MODEL_PORT={port}, already taken", "clear error naming the port and the setting")


def test_a_free_port_taken_before_the_server_binds_it_is_replaced(local_settings, monkeypatch):
    """The race between choosing a free port and the server binding it: the server fails, another port is tried."""
    import socket

    import assistant.llm.local_server as local_server

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    ports = iter([blocker.getsockname()[1]])
    monkeypatch.setattr(local_server, "free_port", lambda: next(ports, None) or free_port())
    monkeypatch.setattr(local_server, "port_in_use", lambda port: False)  # the taken port looks free when chosen
    try:
        _, backend = start_local_model(local_settings)
        assert backend.server.running() and backend.server.port != blocker.getsockname()[1]
    finally:
        blocker.close()


@pytest.mark.parametrize("problem", ["missing", "corrupt"])
def test_a_missing_or_corrupt_model_file_is_a_clear_error_and_offline_drafting_still_works(
        problem, local_settings, fake_llama, corpus_assistant, tmp_path, reliability):
    if problem == "missing":
        fake_llama.unlink()
    else:
        fake_llama.write_bytes(b"<html>not a model</html>")
    expected = "does not exist" if problem == "missing" else "is not a GGUF model"
    with pytest.raises(LocalServerError, match=expected) as error:
        start_local_model(local_settings)
    assert str(fake_llama) in str(error.value)

    # Drafting asked of the local model falls back to the offline drafter and says why.
    settings = local_settings.with_(llm_backend="local", drafter="llm")
    drafter = LLMDrafter(settings, corpus_assistant.embedder)
    section = drafter.draft(corpus_assistant._request("barriers"))
    assert section.drafter == "offline (fallback)" and section.sentences
    assert any(expected in n and n.startswith("Drafted offline instead") for n in section.notes)

    # The command line: `draft --local-model` says what is wrong and that drafting offline works.
    from assistant.cli import app

    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "cli"), "draft", "--local-model"])
    assert result.exit_code == 1
    assert expected in result.output and "without --local-model" in result.output
    reliability.record(AREA, f"--local-model with a {problem} model file",
                       "clear error naming the file; sections drafted offline with a note; the CLI says to run without the flag")


_APP = """
import sys
from assistant.config import Settings
from assistant.llm.managed import start_local_model
_, backend = start_local_model(Settings(data_dir=sys.argv[1]))
print(backend.server.pid, flush=True)
if sys.argv[2] == "exit":
    sys.exit(0)
import time
time.sleep(600)
"""


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_the_server_stops_with_the_app_and_leaves_no_orphan(how, fake_llama, tmp_path, reliability):
    """The app ending normally stops the server (atexit); the app killed outright, the server notices and ends."""
    app = subprocess.Popen([sys.executable, "-c", _APP, str(tmp_path / "data"), how], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(app.stdout.readline())
        if how == "kill":
            os.kill(pid, 0)  # the server runs while the app does
            app.kill()
        app.wait(timeout=30)
        assert _gone(pid), f"the model server (pid {pid}) outlived the app"
    finally:
        app.kill()
    reliability.record(AREA, f"the app {'exits' if how == 'exit' else 'is killed (SIGKILL)'} with the server running",
                       "the server process ended with it; no orphan left")


def test_the_server_is_built_for_a_portable_cpu_and_its_wheel_kept_per_build_flags(tmp_path, monkeypatch):
    """A native build crashed the server on a VM that reports AMX but does not grant it (ldtilecfg, a general
    protection fault on the first completion): the build is portable unless the operator asks otherwise, a kept
    wheel is installed without building again, and a wheel built with other flags is never reused."""
    monkeypatch.setenv("ASSISTANT_WHEELS_DIR", str(tmp_path / "wheels"))
    monkeypatch.delenv("ASSISTANT_LLAMA_CMAKE_ARGS", raising=False)
    python = tmp_path / "venv" / "bin" / "python"
    assert llama_cmake_args() == PORTABLE_CMAKE_ARGS and "-DGGML_NATIVE=OFF" in PORTABLE_CMAKE_ARGS

    (build, build_env), (install, _) = llama_install_steps(python, PORTABLE_CMAKE_ARGS)
    assert build[:4] == [str(python), "-m", "pip", "wheel"] and "--no-cache-dir" in build
    assert build_env == {"CMAKE_ARGS": PORTABLE_CMAKE_ARGS}
    wheels = Path(build[build.index("-w") + 1])
    assert install[3] == "install" and install[install.index("--find-links") + 1] == str(wheels)

    wheels.mkdir(parents=True)
    (wheels / "llama_cpp_python-0.3.36-cp311-cp311-linux_x86_64.whl").touch()
    assert [command[3] for command, _ in llama_install_steps(python, PORTABLE_CMAKE_ARGS)] == ["install"]

    monkeypatch.setenv("ASSISTANT_LLAMA_CMAKE_ARGS", "-DGGML_NATIVE=ON")
    assert llama_wheels_dir(llama_cmake_args()) != wheels
    assert [command[3] for command, _ in llama_install_steps(python, llama_cmake_args())] == ["wheel", "install"]

