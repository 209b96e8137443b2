"""Ten officers at once: each signs in with their own account (gradio_client), creates a plan,
drafts a section, revises it in the chat and exports DOCX and Markdown, all concurrently against
one launched app on loopback. Asserts no errors and no mixed state; reports p50/p95 latency per
operation (a measurement, not a pass mark: the machine is shared)."""

from __future__ import annotations

import re
import secrets
import shutil
import statistics
import threading
import time
from pathlib import Path

import pytest
from docx import Document
from gradio_client import Client

from assistant.api import Assistant
from assistant.app.server import QUEUE_CONCURRENCY, start
from tests.app.conftest import free_port
from tests.app.test_web_flows import EDITOR, shown
from tests.conftest import CORPUS, make_settings

USERS = {f"officer{i:02d}": secrets.token_urlsafe(12) for i in range(10)}
THEMES = ["transformation", "technology", "wasteful_spend", "barriers"]
OPERATIONS = ["create", "draft", "revise", "export_docx", "export_markdown"]
# The three smallest sample documents: enough for cited drafts, small enough that ten drafts stay bounded.
SMALL_CORPUS = ["cabinet-minutes-2024-06-18.txt", "digital-and-data-strategy-2023-2026.md", "workforce-report-2023-24.html"]


@pytest.fixture(scope="module")
def load_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("load")
    docs = root / "docs"
    docs.mkdir()
    for name in SMALL_CORPUS:
        shutil.copy(CORPUS / name, docs / name)
    users_file = root / "users.txt"
    users_file.write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()), encoding="utf-8")
    from assistant.app.auth import load_users

    assistant = Assistant(make_settings(root / "data"))
    assert assistant.ingest([docs]).ok
    running = start(assistant.settings, port=free_port(), users=load_users(None, users_file), assistant=assistant)
    try:
        yield running
    finally:
        running.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@pytest.mark.slow
def test_ten_users_draft_revise_and_export_at_once(load_app, reliability):
    running = load_app
    clients = {u: Client(running.url, auth=(u, p), verbose=False, download_files=True) for u, p in USERS.items()}
    titles = {u: f"Plan of {u} {secrets.token_hex(3)}" for u in USERS}
    timings: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    results: dict[str, dict] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start_together = threading.Barrier(len(USERS))

    def officer(n: int, user: str):
        c, theme, out = clients[user], THEMES[n % len(THEMES)], {}

        def timed(op, *args, api_name):
            began = time.perf_counter()
            value = c.predict(*args, api_name=api_name)
            with lock:
                timings[op].append(time.perf_counter() - began)
            return value

        try:
            start_together.wait(timeout=60)
            out["plan_id"] = timed("create", titles[user], api_name="/create_plan")[0]["value"]
            out["draft"] = timed("draft", out["plan_id"], theme, api_name="/draft_section")
            out["revised"] = timed("revise", out["plan_id"], theme, "shorter", api_name="/chat")
            out["docx"] = timed("export_docx", out["plan_id"], api_name="/export_docx")[0]
            out["md"] = timed("export_markdown", out["plan_id"], api_name="/export_markdown")[0]
            out["plans"] = c.predict(api_name="/load")[0]["choices"]
            out["theme"] = theme
        except Exception as exc:  # every failure is reported, none stops the others
            with lock:
                errors.append(f"{user}: {type(exc).__name__}: {exc}")
        with lock:
            results[user] = out

    began = time.perf_counter()
    threads = [threading.Thread(target=officer, args=(n, u), daemon=True) for n, u in enumerate(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - began
    assert not any(t.is_alive() for t in threads), "a simulated officer never finished"
    assert errors == []

    for user, out in results.items():
        others = [t for u, t in titles.items() if u != user]
        assert [title for title, _ in out["plans"]] == [titles[user]]  # sees only their own plan
        editor, drafted = shown(out["revised"][EDITOR]), shown(out["draft"][EDITOR])
        assert editor.strip(), f"{user}: 'shorter' emptied the section"
        assert re.search(r"\[\d+\]", drafted) and len(editor) <= len(drafted)  # drafted, cited, revised shorter
        markdown = Path(out["md"]).read_text(encoding="utf-8")
        docx = "\n".join(p.text for p in Document(out["docx"]).paragraphs)
        for exported in (markdown, docx):
            assert titles[user] in exported and not any(t in exported for t in others)  # their own plan, only
            assert editor.split("[")[0].strip()[:40] in exported  # with the section as they revised it

    operations = sum(len(v) for v in timings.values())
    rows = [(op, len(v), statistics.median(v), _percentile(v, 0.95), max(v)) for op, v in timings.items()]
    print(f"\n{len(USERS)} users, queue concurrency {QUEUE_CONCURRENCY}, wall {wall:.1f} s")
    print(f"{'operation':<16}{'n':>4}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for op, n, p50, p95, worst in rows:
        print(f"{op:<16}{n:>4}{p50:>9.2f}{p95:>9.2f}{worst:>9.2f}")
    reliability.record(
        "Load",
        f"{len(USERS)} users (users file) at once on loopback: create plan, draft, revise by chat, export DOCX and Markdown",
        f"{len(USERS)} users, {operations} operations, {len(errors)} errors, no mixed state (each saw only their plan; "
        f"each export held only their title and section, none emptied by 'shorter'); wall {wall:.0f} s on 2 shared cores, queue concurrency "
        f"{QUEUE_CONCURRENCY}; " + "; ".join(f"{op} p50 {p50:.1f} s p95 {p95:.1f} s" for op, _, p50, p95, _ in rows),
    )
