"""llama-cpp-python's OpenAI-compatible server on 127.0.0.1, as a child process the product manages.

llama-cpp-python lives in its own venv (.venv-llm) so its server's web stack never
constrains the app's. `LocalServer` starts it on a free loopback port, waits for its
health check, restarts it when it has died, and stops it; the child also watches its
parent (llama_child.py), so it never outlives the app, however the app ends.
Used by `--local-model` (managed.py), the model tests and `make eval-llm`.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from assistant.config import PROJECT_ROOT

log = logging.getLogger(__name__)

_CHILD = Path(__file__).with_name("llama_child.py")


class LocalServerError(RuntimeError):
    """The local model server cannot run; the message names the file or port and what to do."""


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


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def check_model_file(model: Path) -> None:
    """A clear error before starting a server that would fail on the file, minutes into loading."""
    if not model.is_file():
        raise LocalServerError(f"the model file {model} does not exist: unset ASSISTANT_LOCAL_MODEL to use the bundled "
                               "Qwen model, or point it at a .gguf file")
    with model.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise LocalServerError(f"the model file {model} is not a GGUF model (corrupt or incomplete): delete it "
                               "and start again to assemble it afresh, or point ASSISTANT_LOCAL_MODEL at a .gguf file")


class LocalServer:
    def __init__(self, model: Path, log_path: Path, port: int | None = None, n_ctx: int = 4096,
                 threads: int | None = None, start_timeout: float = 180.0):
        self.model = model
        self.alias = model.stem
        self.log_path = log_path
        self.requested_port = port  # None: any free port
        self.port: int | None = None
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 2
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._lock = threading.RLock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> str:
        """Start the server and wait until it answers; its base URL (…/v1)."""
        with self._lock:
            if self.running():
                return self.base_url
            check_model_file(self.model)
            if not llama_available():
                raise LocalServerError(f"llama-cpp-python's server is not installed in {llama_python().parent.parent}: "
                                       "run `make llm-venv` (or start with --local-model, which installs it)")
            if self.requested_port is not None and port_in_use(self.requested_port):
                raise LocalServerError(f"port {self.requested_port} on 127.0.0.1 is in use by another program: set "
                                       "ASSISTANT_LOCAL_MODEL_PORT to a free port, or unset it to let the assistant pick one")
            # A free port can be taken between choosing it and the server binding it: then try another.
            for attempt in range(3):
                port = self.requested_port or (self.port if self.port and not port_in_use(self.port) else free_port())
                if self._launch(port):
                    return self.base_url
                if self.requested_port is not None or attempt == 2:
                    break
            raise LocalServerError(f"the local model server did not start: see {self.log_path}\n{self._log_tail()}")

    def ensure_running(self) -> str:
        """Before each use: a server that has died (killed, out of memory) is started again."""
        with self._lock:
            if self.process is not None and not self.running():
                self.restarts += 1
                log.warning("the local model server (pid %s) exited with code %s; restarting it (see %s)",
                            self.process.pid, self.process.returncode, self.log_path)
            return self.start()

    def stop(self) -> None:
        with self._lock:
            if self.process is None:
                return
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
            self.process = None

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/models", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    # -- internals -----------------------------------------------------------------------
    def _launch(self, port: int) -> bool:
        """Start on `port` and wait for the health check; False when it exited because the port was taken."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on 127.0.0.1:{port}: {self.model}\n".encode())
            log_file.flush()
            self.process = subprocess.Popen(
                [str(llama_python()), str(_CHILD), str(os.getpid()), "--model", str(self.model), "--host", "127.0.0.1",
                 "--port", str(port), "--n_ctx", str(self.n_ctx), "--n_threads", str(self.threads), "--model_alias", self.alias],
                stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        self.port = port
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.process.poll() is not None:
                tail = self._log_tail()
                if "address already in use" in tail.lower() or "errno 98" in tail.lower():
                    log.warning("port %d was taken before the local model server bound it", port)
                    self.port = None
                    return False
                raise LocalServerError(f"the local model server exited with code {self.process.returncode} while starting "
                                       f"(is {self.model.name} a valid model?): see {self.log_path}\n{tail}")
            if self.healthy():
                log.info("local model server up on %s (pid %d)", self.base_url, self.process.pid)
                return True
            if time.monotonic() > deadline:
                self.stop()
                raise LocalServerError(f"the local model server did not answer within {self.start_timeout:.0f} s: see {self.log_path}")
            time.sleep(0.3)

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


@contextmanager
def serve(model: Path, n_ctx: int = 8192, threads: int | None = None, log_path: Path | None = None,
          start_timeout: float = 180.0) -> Iterator[str]:
    """Run the server for the duration of the block; yields its base URL (…/v1)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        server = LocalServer(model, log_path or Path(tmp) / "server.log", n_ctx=n_ctx, threads=threads, start_timeout=start_timeout)
        try:
            yield server.start()
        finally:
            server.stop()
