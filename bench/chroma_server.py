"""Run `chroma run` (the CLI the chromadb package ships) on a free loopback port, and stop it.

Used by the retrieval benchmark's server mode and by tests/test_store_server.py.
The server's log goes to a file, never to a pipe nobody reads: it logs every
request, and a full pipe blocks the server mid-request.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMA_CLI = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    pid: int


@contextmanager
def chroma_server(path: Path, startup_timeout: float = 60.0):
    """Yield the `Server` (host, port, pid) of a Chroma server persisting to `path`; always stopped on exit."""
    if not CHROMA_CLI.exists():
        raise RuntimeError(f"{CHROMA_CLI} not found: the chromadb package ships it; run `make venv`")
    path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = (path.parent / f"chroma-server-{port}.log").open("w")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [str(CHROMA_CLI), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    try:
        _wait_until_up(process, port, startup_timeout, log.name)
        yield Server("127.0.0.1", port, process.pid)
    finally:
        _stop(process)
        log.close()


def _wait_until_up(process: subprocess.Popen, port: int, timeout: float, log_name: str) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}; see {log_name}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"chroma run did not answer on port {port} within {timeout:.0f} s; see {log_name}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (the CLI may start children), then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)
