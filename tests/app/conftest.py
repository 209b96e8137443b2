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


def serve_signed_in(assistant):
    """A fixture body: the assistant's store behind a signed-in app (users ann and bob), closed after."""
    running = start(assistant.settings, port=free_port(), users=USERS, assistant=assistant)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def web(corpus_assistant):
    """The sample corpus behind a signed-in app (users ann and bob)."""
    yield from serve_signed_in(corpus_assistant)


def client(running, user: str | None = "ann"):
    from gradio_client import Client

    auth = (user, USERS[user]) if user else None
    return Client(running.url, auth=auth, verbose=False, download_files=True)


def login(running, user: str):
    """A raw HTTP session signed in through Gradio's own login form (the cookie a browser gets)."""
    import httpx

    session = httpx.Client(base_url=running.url, timeout=120, follow_redirects=False)
    answer = session.post("login", data={"username": user, "password": USERS[user]})
    assert answer.status_code == 200, answer.text
    return session


# Text a council document might carry that would run in a page if shown unescaped.
HOSTILE_PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[minutes](javascript:alert(1))",
                    "<a href=\"javascript:alert(1)\">the report</a>"]


def write_hostile_corpus(folder):
    """Two small documents; the transformation one hides script in sentences the offline drafter picks."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "transformation-report.txt").write_text(
        "Transformation report 2024\n\n"
        "The Council restructured its senior management team in 2023 <script>alert(1)</script> and removed 14 posts "
        "from the operating model.\n\n"
        "The new centralised operating model <img src=x onerror=alert(1)> reduced the cost per contact by 18 per cent "
        "according to the performance dashboard.\n\n"
        "The transformation programme board tracks key performance indicators every month, as the "
        "[minutes](javascript:alert(1)) record, and the savings target for phase two is £2.4 million.\n\n"
        "The shared service with the neighbouring council <a href=\"javascript:alert(1)\">the report</a> now runs "
        "revenues and benefits for both councils.\n",
        encoding="utf-8",
    )
    (folder / "digital-strategy.md").write_text(
        "# Digital strategy\n\nThe Council moved 60 per cent of customer contact online in 2023 and uses data dashboards "
        "to plan services.\n\nThe Council will replace its housing system in 2025 to cut waiting times.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def hostile_assistant(tmp_path_factory):
    """A store holding only the hostile documents (small, so ingest and drafting stay quick)."""
    from assistant.api import Assistant
    from tests.conftest import make_settings

    root = tmp_path_factory.mktemp("hostile")
    assistant = Assistant(make_settings(root / "data"))
    report = assistant.ingest([write_hostile_corpus(root / "docs")])
    assert report.ok, report.failed
    return assistant


def refusal(c, *args, api_name: str) -> tuple[list[str], object]:
    """Call an endpoint expected to refuse: (the messages it showed, its outputs).

    A refusal is a warning in the page with every output left as it was (gr.skip), not an error;
    gradio_client hands the warning over as a log entry of the job's status updates."""
    job = c.submit(*args, api_name=api_name)
    outputs = job.result(timeout=300)
    messages = []
    while not job.communicator.updates.empty():
        update = job.communicator.updates.get_nowait()
        if getattr(update, "log", None):
            messages.append(update.log[0])
    return messages, outputs


def chat_text(content) -> str:
    """What the officer reads in a chat turn: its text parts, without the backslashes that keep document
    markup from rendering (app/views.py: chat_messages)."""
    import re

    text = content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)
    return re.sub(r"\\(.)", r"\1", text)


def plan_free_settings(corpus_assistant, where: Path):
    """Settings on a copy of the sample corpus's data directory without its workspace database: the same
    ingested store, no plans (other tests add plans to the shared store, and a test of the first screen
    must not see them)."""
    import shutil

    from tests.conftest import make_settings

    data = where / "data"
    shutil.copytree(corpus_assistant.settings.data_dir, data, ignore=shutil.ignore_patterns("workspace.sqlite3*"))
    return make_settings(data)
