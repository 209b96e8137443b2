"""A real launched workspace app on a free loopback port, driven over HTTP."""

from __future__ import annotations

import socket

import pytest

from assistant.app.server import start

USERS = {"ann": "ann-secret-1", "bob": "bob-secret-2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web(corpus_assistant):
    """The sample corpus behind a signed-in app (users ann and bob)."""
    running = start(corpus_assistant.settings, port=free_port(), users=USERS, assistant=corpus_assistant)
    try:
        yield running
    finally:
        running.close()


def client(running, user: str | None = "ann"):
    from gradio_client import Client

    auth = (user, USERS[user]) if user else None
    return Client(running.url, auth=auth, verbose=False, download_files=True)
