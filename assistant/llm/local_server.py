"""Start llama-cpp-python's OpenAI-compatible server on 127.0.0.1 for a local GGUF model.

llama-cpp-python lives in its own venv (.venv-llm, built by `make llm-venv`)
so its server's web stack never constrains the app's. Used by the model tests
and `make eval-llm`; a council would point OPENAI_BASE_URL at its own server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from assistant.config import PROJECT_ROOT


def llama_python() -> Path:
    return Path(os.environ.get("ASSISTANT_LLAMA_PYTHON", PROJECT_ROOT / ".venv-llm" / "bin" / "python"))


def llama_available() -> bool:
    python = llama_python()
    if not python.exists():
        return False
    return subprocess.run([str(python), "-c", "import llama_cpp.server"], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(model: Path, n_ctx: int = 8192, threads: int | None = None, log_path: Path | None = None,
          start_timeout: float = 180.0) -> Iterator[str]:
    """Run the server for the duration of the block; yields its base URL (…/v1)."""
    port = free_port()
    threads = threads or os.cpu_count() or 2
    log_file = open(log_path, "wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(llama_python()), "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", str(n_ctx), "--n_threads", str(threads), "--model_alias", model.stem],
        stdout=log_file, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited with code {process.returncode}; see {log_path or 'its output'}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp server did not start within {start_timeout:.0f} s")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_path:
            log_file.close()
