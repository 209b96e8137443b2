"""The core flows through gradio_client against a launched app: create a plan, draft a
section, revise it, accept it, export DOCX and read it back; sign-in and isolation
between users; uploads checked on the server; state that survives a restart."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from docx import Document
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from assistant.api import Assistant
from assistant.app.server import start
from tests.app.conftest import client, free_port, refusal
from tests.conftest import make_settings

# Outputs of the draft view, in order (see assistant/app/draft_tab.py: `named`); buttons are not API outputs.
THEMES, BUDGET, CHAT, SECTION, EDITOR, EVIDENCE, GAPS, NOTES, VERSIONS = range(9)
MESSAGE = 9  # chat endpoints also clear (or, refused, keep) the message box
STATE = 10  # where the section stands: its status, or locked
COUNCIL = 11  # /open_plan ends with the Export tab's council (/load, /create_plan and /delete_plan put the plan chooser first)


def shown(output):
    """What a text box shows: its value, whether it came as text or as an update that also sets whether it can
    be typed in (the editor does, being locked on an accepted section)."""
    return output["value"] if isinstance(output, dict) else output


def untouched(output) -> bool:
    """An output the handler skipped (gr.skip()): the panel keeps what it showed."""
    return isinstance(output, dict) and output.get("__type__") == "update" and "value" not in output


def create_plan(c, title="Productivity Plan 2024") -> str:
    return c.predict(title, api_name="/create_plan")[0]["value"]


def test_create_draft_revise_accept_export(web, corpus_assistant):
    c = client(web)
    plan_id = create_plan(c)
    drafted = c.predict(plan_id, "transformation", api_name="/draft_section")
    text = shown(drafted[EDITOR])
    assert "[1]" in text and "class='cite'" in drafted[SECTION]
    assert drafted[CHAT][-1]["role"] == "assistant"
    assert "drafted" in str(drafted[THEMES]) and "tokens" in str(drafted[THEMES])
    assert "Transformed service design" in drafted[BUDGET] and "within the limit" in drafted[BUDGET]

    revised = c.predict(plan_id, "transformation", "make it shorter", api_name="/chat")
    assert len(shown(revised[EDITOR])) < len(text)
    assert [m["role"] for m in revised[CHAT]] == ["user", "assistant", "user", "assistant"]

    accepted = c.predict(plan_id, "transformation", api_name="/accept_section")
    assert "Locked" in accepted[STATE] and "accepted" in accepted[STATE]
    said, outputs = refusal(c, plan_id, "transformation", "add more", api_name="/chat")
    assert len(said) == 1 and "locked" in said[0], said
    assert untouched(outputs[EDITOR]) and untouched(outputs[SECTION]) and outputs[MESSAGE] == "add more"  # the message is put back
    assert shown(c.predict(plan_id, "transformation", api_name="/open_section")[EDITOR]) == shown(accepted[EDITOR])

    path, check = c.predict(plan_id, api_name="/export_docx")
    doc = Document(path)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    # One section of four accepted: a draft, which says so first.
    assert headings == ["DRAFT \u2014 not the final plan", corpus_assistant.template.theme("transformation").heading, "References"]
    refs = [p.text for p in doc.paragraphs[[p.text for p in doc.paragraphs].index("References") + 1:]]
    cited = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", shown(revised[EDITOR]))}
    assert 0 < len(refs) <= len(cited) and refs[0].startswith("[1] ")  # passages of one page are one reference
    assert "of 4 pages" in check and "within the limit" in check
    assert check.startswith("**DRAFT**") and "Sections not yet accepted (3)" in check


def test_edit_is_rechecked_and_review_flags_it(web):
    c = client(web)
    plan_id = create_plan(c, "Edited plan")
    drafted = c.predict(plan_id, "wasteful_spend", api_name="/draft_section")
    c.predict(plan_id, "wasteful_spend", api_name="/open_section")
    edited = c.predict(plan_id, "wasteful_spend", shown(drafted[EDITOR]) + "\n\nWe will save £123,456,789 next year. [1]",
                       api_name="/edit_section")
    assert "flagged" in edited[SECTION]
    table, choices = c.predict(plan_id, True, api_name="/review")
    assert "£123,456,789" in table and "number not in source" in table
    key = choices["choices"][0][1]
    table = c.predict(plan_id, key, "rejected", "Not in the MTFS", True, api_name="/decide")[0]
    assert "rejected" in table and "Not in the MTFS" in table
    csv_path = c.predict(plan_id, api_name="/review_csv")
    assert "Not in the MTFS" in Path(csv_path).read_text(encoding="utf-8-sig")
    said, _ = refusal(c, plan_id, "wasteful_spend", api_name="/accept_section")
    assert len(said) == 1 and "figure" in said[0], said
    assert "drafted" in c.predict(plan_id, "wasteful_spend", api_name="/open_section")[STATE]


def test_an_accepted_section_is_locked_until_reopened(web):
    """Locked means the controls say so, not only that the server refuses: the editor and message box come back
    not typeable, and the state line says how to change it."""
    c = client(web)
    plan_id = create_plan(c, "Locked plan")
    drafted = c.predict(plan_id, "barriers", api_name="/draft_section")
    assert drafted[EDITOR]["interactive"] is True and "Status" in drafted[STATE] and "Locked" not in drafted[STATE]
    accepted = c.predict(plan_id, "barriers", api_name="/accept_section")
    assert "Locked \u2014 reopen to change" in accepted[STATE]
    assert accepted[EDITOR]["interactive"] is False and accepted[MESSAGE]["interactive"] is False
    assert shown(accepted[EDITOR]) == shown(drafted[EDITOR])  # locked, not emptied
    assert c.predict(plan_id, "barriers", api_name="/open_section")[EDITOR]["interactive"] is False  # and when opened again
    reopened = c.predict(plan_id, "barriers", api_name="/reopen_section")
    assert reopened[EDITOR]["interactive"] is True and reopened[MESSAGE]["interactive"] is True
    assert "Locked" not in reopened[STATE] and "drafted" in reopened[STATE]


def test_opening_a_plan_shows_the_council_its_exports_print(web, corpus_assistant):
    c = client(web)
    northshire = create_plan(c, "Northshire plan")
    c.predict(northshire, "Northshire County Council", api_name="/set_council")
    other = c.predict("Default council plan", api_name="/create_plan")
    assert other[2 + COUNCIL] == corpus_assistant.settings.council  # create: the plan chooser, the title box, then the view
    assert c.predict(northshire, "transformation", api_name="/open_plan")[COUNCIL] == "Northshire County Council"
    assert c.predict(other[0]["value"], "transformation", api_name="/open_plan")[COUNCIL] == corpus_assistant.settings.council


def test_deleting_a_plan_takes_it_off_the_list_and_opens_the_next(web):
    ann, bob = client(web, "ann"), client(web, "bob")
    keep, doomed = create_plan(ann, "Plan to keep"), create_plan(ann, "Plan to delete")
    with pytest.raises(AppError):  # another user's plan is answered as an unknown one
        bob.predict(doomed, api_name="/delete_plan")
    after = ann.predict(doomed, api_name="/delete_plan")
    assert after[1 + COUNCIL] == "The Council"  # the plan opened in its place, with its own council
    ids = [plan_id for _, plan_id in after[0]["choices"]]
    assert doomed not in ids and keep in ids and after[0]["value"] == ids[0]  # the most recent plan left is opened
    assert doomed not in [plan_id for _, plan_id in ann.predict(api_name="/load")[0]["choices"]]
    with pytest.raises(AppError):
        ann.predict(doomed, "transformation", api_name="/open_plan")


def test_users_see_only_their_own_plans_even_when_drafting_at_once(web):
    ann, bob = client(web, "ann"), client(web, "bob")
    ann_plan, bob_plan = create_plan(ann, "Ann's plan"), create_plan(bob, "Bob's plan")
    results = {}

    def draft(name, c, plan_id, theme):
        results[name] = c.predict(plan_id, theme, api_name="/draft_section")

    threads = [threading.Thread(target=draft, args=("ann", ann, ann_plan, "technology")),
               threading.Thread(target=draft, args=("bob", bob, bob_plan, "barriers"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert "Technology and data" in results["ann"][CHAT][-1]["content"][0]["text"] or shown(results["ann"][EDITOR])
    assert shown(results["bob"][EDITOR]) and shown(results["bob"][EDITOR]) != shown(results["ann"][EDITOR])

    loaded = client(web, "bob").predict(api_name="/load")[0]
    assert [title for title, _ in loaded["choices"]] == ["Bob's plan"]
    # Bob cannot reach Ann's plan by its id, whatever endpoint he tries.
    for endpoint, args in (("/open_plan", (ann_plan, "technology")), ("/export_docx", (ann_plan,)),
                           ("/chat", (ann_plan, "technology", "shorter"))):
        with pytest.raises(AppError):
            bob.predict(*args, api_name=endpoint)


def test_wrong_password_is_refused(web):
    from gradio_client import Client

    with pytest.raises(Exception, match="(?i)login|credentials|auth"):
        Client(web.url, auth=("ann", "not-her-password"), verbose=False)


def test_uploads_are_checked_on_the_server_and_ingested(tmp_path):
    settings = make_settings(tmp_path / "data", max_file_mb=1)
    running = start(settings, port=free_port())
    try:
        c = client(running, user=None)
        good = tmp_path / "scrutiny-note.txt"
        good.write_text("Scrutiny note\n\nThe Overview and Scrutiny Committee reviewed the waste contract in May 2024.\n")
        wrong = tmp_path / "macro.exe"
        wrong.write_bytes(b"MZ\x90\x00" * 100)
        big = tmp_path / "huge.txt"
        big.write_text("word " * 300_000)  # 1.5 MB, over the 1 MB limit this app was given
        summary, table = c.predict([handle_file(good)], api_name="/ingest")[:2]
        assert "ingested 1 file(s)" in summary
        assert [row[1] for row in table["data"]] == ["scrutiny-note.txt"]
        refused = c.predict([handle_file(wrong)], api_name="/ingest")  # refused by the server, whatever the browser sent
        assert "nothing was ingested" in refused[0].lower() and "macro.exe" in refused[0], refused
        # gradio_client refuses it before sending; a hand-made request meets the server's own limit.
        refused = httpx.post(f"{running.url}gradio_api/upload", files={"files": ("huge.txt", big.read_bytes(), "text/plain")})
        assert refused.status_code == 413
        again, table = c.predict([handle_file(good)], api_name="/ingest")[:2]
        assert "already in the corpus" in again and len(table["data"]) == 1  # nothing duplicated
        doc_id = table["data"][0][5]
        message, table = c.predict(doc_id, api_name="/delete_document")[:2]
        assert "Removed" in message and table["data"] == []
    finally:
        running.close()


def test_plans_survive_a_restart(tmp_path):
    settings = make_settings(tmp_path / "data")
    first = start(settings, port=free_port(), users={"ann": "pw"})
    try:
        from gradio_client import Client

        c = Client(first.url, auth=("ann", "pw"), verbose=False)
        plan_id = c.predict("Plan before restart", api_name="/create_plan")[0]["value"]
    finally:
        first.close()
    second = start(settings, port=free_port(), users={"ann": "pw"}, assistant=Assistant(settings))
    try:
        loaded = Client(second.url, auth=("ann", "pw"), verbose=False).predict(api_name="/load")[0]
        assert loaded["choices"] == [["Plan before restart", plan_id]] and loaded["value"] == plan_id
    finally:
        second.close()


def test_serving_off_loopback_without_sign_in_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "Refusing to serve on 0.0.0.0 without sign-in" in result.stderr and "--auth" in result.stderr
