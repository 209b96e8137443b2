"""The web app against strangers and hostile input, on a real launched app over HTTP:
uploads checked on the server, every data route behind sign-in, plans and exports private to
their owner whatever id or URL another user tries, no API key in logs or pages, and document
text that cannot run as HTML."""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.api import Assistant
from assistant.app.auth import AuthError
from assistant.app.server import start
from tests.app.conftest import HOSTILE_PAYLOADS, USERS, chat_text, client, free_port, login, serve_signed_in
from tests.app.test_web_flows import CHAT, EDITOR, EVIDENCE, SECTION, create_plan, shown
from tests.conftest import make_settings
from tests.llm.fake_openai import FakeOpenAI


def call(session: httpx.Client, api_name: str, *data) -> tuple[str, object]:
    """One endpoint over Gradio's REST protocol (POST then read the event stream): ("complete" | "error", data)."""
    posted = session.post(f"gradio_api/call/{api_name}", json={"data": list(data)})
    assert posted.status_code == 200, posted.text
    stream = session.get(f"gradio_api/call/{api_name}/{posted.json()['event_id']}").text
    kind, payload = None, None
    for line in stream.splitlines():
        if line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: ") and kind in ("complete", "error"):
            payload = json.loads(line[len("data: "):])
    return kind, payload


def upload(session: httpx.Client, name: str, content: bytes) -> dict:
    answer = session.post("gradio_api/upload", files={"files": (name, content, "application/octet-stream")})
    assert answer.status_code == 200, answer.text
    return {"path": answer.json()[0], "orig_name": name, "meta": {"_type": "gradio.FileData"}}


# -- uploads --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    """An app with an empty corpus of its own and a 1 MB upload limit."""
    settings = make_settings(tmp_path_factory.mktemp("uploads") / "data", max_file_mb=1)
    running = start(settings, port=free_port(), users=USERS)
    try:
        yield running, settings
    finally:
        running.close()


def test_uploads_are_checked_on_the_server(upload_app, reliability):
    running, settings = upload_app
    ann = login(running, "ann")
    stored = lambda: sorted(d.source for d in Assistant(settings).sources())  # noqa: E731
    uploads_dir = settings.data_dir / "uploads"
    kept = lambda: sorted(p.name for p in uploads_dir.iterdir()) if uploads_dir.exists() else []  # noqa: E731

    # A Windows executable sent straight to the server, past the browser's file-type filter.
    # Refused in the status line (the documents table and the chosen files are left as they were).
    kind, message = call(ann, "ingest", [upload(ann, "macro.exe", b"MZ\x90\x00" * 200)])
    assert kind == "complete" and "Nothing was ingested" in message[0] and "macro.exe: .exe files are not accepted" in message[0], message
    assert stored() == [] and kept() == []
    reliability.record("Web app", "upload macro.exe over HTTP (past the browser's file-type filter)",
                       f"refused by the server in the status line: '{message[0]}'; nothing stored")

    kind, message = call(ann, "ingest", [upload(ann, "empty.txt", b"")])
    assert kind == "complete" and "empty.txt: the file is empty" in message[0], message
    assert stored() == [] and kept() == []
    reliability.record("Web app", "upload a zero-byte empty.txt", f"refused in the status line: '{message[0]}'; nothing stored")

    # Gradio's own limit (max_file_size, set from ASSISTANT_MAX_FILE_MB) refuses the upload itself.
    big = b"council " * 200_000  # 1.6 MB against a 1 MB limit
    refused = ann.post("gradio_api/upload", files={"files": ("huge.txt", big, "text/plain")})
    assert refused.status_code == 413, refused.text
    reliability.record("Web app", "upload a 1.6 MB huge.txt to a 1 MB app (Gradio's max_file_size)",
                       f"HTTP 413 from /gradio_api/upload: {refused.text!r}")

    # The workspace's own check stands behind it: a file that reached Gradio's upload folder some other
    # way (a larger Gradio limit, a proxy) is still refused by name when ingested.
    small = upload(ann, "huge.txt", b"x")
    Path(small["path"]).write_bytes(big)
    good = upload(ann, "scrutiny-note.txt", b"Scrutiny note\n\nThe Overview and Scrutiny Committee reviewed the waste "
                                            b"contract in May 2024 and asked for quarterly reports.\n")
    exe = upload(ann, "payload.exe", b"MZ" * 50)
    kind, message = call(ann, "ingest", [small, good, exe])
    assert kind == "complete", message
    assert "huge.txt: 2 MB is over the 1 MB limit" in message[0] and "payload.exe: .exe files are not accepted" in message[0]
    assert "ingested 1 file(s)" in message[0]
    assert [Path(s).name for s in stored()] == ["scrutiny-note.txt"] and kept() == ["scrutiny-note.txt"]
    reliability.record("Web app", "batch of huge.txt (1.6 MB, past Gradio's limit), scrutiny-note.txt, payload.exe",
                       f"'{message[0]}'; only scrutiny-note.txt stored")


# -- sign-in --------------------------------------------------------------------------------------
def test_off_loopback_without_users_is_refused(tmp_path, reliability):
    with pytest.raises(AuthError, match="Refusing to serve on 0.0.0.0 without sign-in") as refused:
        start(make_settings(tmp_path / "data"), host="0.0.0.0", port=free_port())
    reliability.record("Web app", "serve on 0.0.0.0 with no users (also `assistant serve`, test_web_flows)",
                       f"refused before start: '{str(refused.value)[:60]}…'")


def test_every_data_route_needs_a_session(web, reliability):
    # Plan endpoints need a session whose plan dropdown holds the id (Gradio checks a choice is offered), so gradio_client.
    owner = Client(web.url, auth=("ann", USERS["ann"]), verbose=False, download_files=False)
    plan_id = create_plan(owner, "Ann's private plan")
    exported = owner.predict(plan_id, api_name="/export_markdown")
    file_route = f"gradio_api/file={exported[0]['path']}"
    ann = login(web, "ann")
    assert ann.get(file_route).status_code == 200 and ann.get("config").status_code == 200

    stranger = httpx.Client(base_url=web.url, timeout=60, follow_redirects=False)
    routes = [("GET", "config"), ("GET", "gradio_api/info"), ("GET", "gradio_api/openapi.json"),
              ("GET", file_route), ("GET", "gradio_api/upload_progress?upload_id=x"),
              ("POST", "gradio_api/upload"), ("POST", "gradio_api/queue/join"), ("POST", "gradio_api/call/load"),
              ("POST", "gradio_api/call/open_plan"), ("POST", "gradio_api/run/load"), ("GET", "gradio_api/queue/data?session_hash=x")]
    answers = {}
    for method, route in routes:
        answer = stranger.request(method, route, json={"data": [plan_id, "transformation"]} if method == "POST" else None)
        answers[route.split("?")[0]] = answer.status_code
        assert answer.status_code in (401, 403), (route, answer.status_code, answer.text[:200])
        assert "Ann's private plan" not in answer.text and plan_id not in answer.text
    page = stranger.get("")  # the page itself only asks for a sign-in
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert "Ann's private plan" not in page.text and plan_id not in page.text
    assert '"components":[]' in page.text.replace(" ", "")
    # Known and left: Gradio embeds its API description (endpoint and parameter names, no data) in this page.
    api_described = "/create_plan" in page.text
    file_route_name = "gradio_api/file=<ann's export>"
    answers[file_route_name] = answers.pop(file_route)
    reliability.record("Web app", "every data route without a session cookie (" + ", ".join(answers) + ")",
                       "all answered " + "/".join(sorted({str(v) for v in answers.values()}))
                       + "; / serves only the sign-in page (auth_required, no components, no plan data"
                       + ("; it does carry Gradio's API description: endpoint and parameter names)" if api_described else ")"))


# -- plan ids -------------------------------------------------------------------------------------
# Every endpoint that takes a plan id, with the rest of its arguments.
PLAN_ENDPOINTS = {
    "open_plan": ("transformation",), "open_section": ("technology",), "rename_plan": ("Bob was here",),
    "chat": ("transformation", "shorter"), "draft_section": ("transformation",), "edit_section": ("transformation", "Mine. [1]"),
    "accept_section": ("transformation",), "reopen_section": ("transformation",), "review": (False,),
    "decide": None, "review_csv": (), "export_docx": (), "export_markdown": (),
    "redraft_section": ("transformation",), "restore_version": ("transformation", 1), "review_sentence": None, "decide_next": None,
}


def _ann_state(ann, plan_id):
    view = ann.predict(plan_id, "transformation", api_name="/open_plan")
    table, _ = ann.predict(plan_id, False, api_name="/review")
    titles = ann.predict(api_name="/load")[0]["choices"]
    return titles, view[SECTION], shown(view[EDITOR]), view[CHAT], table


def test_another_users_plan_id_is_answered_like_an_unknown_id(web, corpus_assistant, reliability):
    ann, bob = client(web, "ann"), client(web, "bob")
    plan_id = create_plan(ann, "Ann's guarded plan")
    assert re.fullmatch(r"[0-9a-f]{32}", plan_id)  # uuid4: not guessable, and owner-filtered anyway
    ann.predict(plan_id, "transformation", api_name="/draft_section")
    _, choices = ann.predict(plan_id, False, api_name="/review")
    key = choices["choices"][0][1]
    ann.predict(plan_id, key, "approved", "fine", False, api_name="/decide")
    before = _ann_state(ann, plan_id)

    unknown = uuid.uuid4().hex
    for name, rest in PLAN_ENDPOINTS.items():
        rest = {"decide": (key, "rejected", "bob says no", False), "decide_next": (key, "rejected", "bob says no", False),
                "review_sentence": (key,)}.get(name, rest)
        answers = []
        for target in (plan_id, unknown):
            with pytest.raises(AppError) as refused:
                bob.predict(target, *rest, api_name=f"/{name}")
            answers.append(str(refused.value).replace(target, "<id>"))
        assert answers[0] == answers[1], (name, answers)
    wire_answer = answers[0]
    # Gradio answers first (an id that is not among the plans the session was offered); behind it the
    # workspace filters every call by owner, so a request that got past the widget meets the same wall.
    from assistant.workspace.service import PlanNotFound, Workspace

    workspace = Workspace(corpus_assistant)
    calls = {
        "plan_summary": (), "rename_plan": ("Bob was here",), "delete_plan": (), "sections": (), "section": ("transformation",),
        "plan": (), "overview": (), "messages": ("transformation",), "edit": ("transformation", "Mine. [1]"),
        "accept": ("transformation",), "reopen": ("transformation",), "review": (), "decide": (key, "rejected", "no"),
        "export_markdown": (Path("/tmp"),), "export_docx": (Path("/tmp"),), "export_review_csv": (Path("/tmp"),),
        "chat": ("transformation", "shorter"), "versions": ("transformation",), "restore": ("transformation", 1),
        "redraft_warning": ("transformation",), "review_row": (key,), "next_flagged": (key,),
    }
    for method, rest in calls.items():
        for target in (plan_id, unknown):
            with pytest.raises(PlanNotFound):
                result = getattr(workspace, method)("bob", target, *rest)
                if method == "chat":
                    list(result)
    assert _ann_state(ann, plan_id) == before
    assert [t for t, _ in bob.predict(api_name="/load")[0]["choices"]] == [t for t, _ in bob.predict(api_name="/load")[0]["choices"]
                                                                           if "Ann" not in t]
    reliability.record("Web app", f"bob calls {len(PLAN_ENDPOINTS)} plan endpoints ({', '.join(PLAN_ENDPOINTS)}) with "
                       "ann's plan id, and an unknown id",
                       f"each refused with the same message as the unknown id ('{wire_answer}', from Gradio: the id is "
                       "not among bob's plans); ann's title, section, chat and review decision unchanged; ids are uuid4 hex")
    reliability.record("Web app", f"the same as bob in the workspace API behind the app ({len(calls)} methods incl. "
                       "delete_plan, chat, exports)", "every one raised PlanNotFound, as for an unknown id")


def test_an_export_is_downloadable_only_by_its_owner(web, reliability):
    ann = Client(web.url, auth=("ann", USERS["ann"]), verbose=False, download_files=False)
    plan_id = create_plan(ann, "Ann's export")
    ann.predict(plan_id, "barriers", api_name="/draft_section")
    outcomes = []
    for api in ("export_docx", "export_markdown", "review_csv"):
        result = ann.predict(plan_id, api_name=f"/{api}")
        exported = result[0] if isinstance(result, (list, tuple)) else result
        url = exported["url"]
        assert login(web, "ann").get(url).status_code == 200
        as_bob = login(web, "bob").get(url)
        anonymous = httpx.get(url)
        assert as_bob.status_code in (403, 404), (api, as_bob.status_code)
        assert anonymous.status_code in (401, 403)
        assert "Ann" not in as_bob.text and "Ann" not in anonymous.text
        outcomes.append(f"{Path(exported['path']).suffix}: ann 200, bob {as_bob.status_code}, no session {anonymous.status_code}")
    reliability.record("Web app", "bob fetches the /gradio_api/file= URL of ann's DOCX, Markdown and review CSV exports",
                       "; ".join(outcomes))


# -- the API key ----------------------------------------------------------------------------------
def test_the_api_key_never_reaches_logs_errors_or_pages(corpus_assistant, monkeypatch, caplog, capfd, reliability):
    key = f"sk-test-{secrets.token_hex(16)}"
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", key)
        settings = corpus_assistant.settings.with_(drafter="llm", openai_model="fake-model", llm_concurrency=1)
        running = start(settings, port=free_port(), users=USERS, assistant=Assistant(settings))
        try:
            session = login(running, "ann")
            seen += [session.get("").text, session.get("config").text, session.get("gradio_api/info").text]
            ann = Client(running.url, auth=("ann", USERS["ann"]), verbose=False, download_files=False)
            plan_id = create_plan(ann, "Key plan")

            def answer(*args, api_name):
                job = ann.submit(*args, api_name=api_name)
                try:
                    job.result(timeout=300)
                except AppError as exc:  # a refusal is a page too: its text must not hold the key
                    seen.append(str(exc))
                    return str(exc)
                seen.extend(json.dumps(update, default=str) for update in job.outputs())  # every streamed update
                return chat_text(job.outputs()[-1][CHAT][-1]["content"])

            fake.script = ["401"]  # the endpoint rejects the key
            told = answer(plan_id, "barriers", api_name="/draft_section")
            fake.script = ["500"] * 4  # then falls over until the retries are spent
            answer(plan_id, "barriers", "draft this section again", api_name="/chat")
            fake.script = []
            answer(plan_id, "barriers", "shorter", api_name="/chat")
            for api in ("/export_markdown", "/review_csv"):
                out = ann.predict(plan_id, api_name=api)
                out = out[0] if isinstance(out, (list, tuple)) else out
                seen.append(json.dumps(out))
                seen.append(session.get(out["url"]).text)
            answer(plan_id, "barriers", api_name="/open_plan")
            seen.append(session.get("").text)
        finally:
            running.close()
    assert any(r["behaviour"] == "401" for r in fake.requests) and any(r["behaviour"] == "500" for r in fake.requests)
    assert all(r["auth"] == f"Bearer {key}" for r in fake.requests)  # the key was in use, so it could have leaked
    logs = caplog.text + "".join(capfd.readouterr())
    assert "LLM request failed" in logs or "401" in logs or "failed" in logs
    seen.append((settings.data_dir / "workspace.sqlite3").read_bytes().decode("utf-8", "replace"))
    for text in seen + [logs]:
        assert key not in text and key[8:] not in text
    reliability.record("Web app", "LLM endpoint answering 401 then 500s, random sk-test key in OPENAI_API_KEY",
                       f"key absent from {len(caplog.records)} log records, stderr, {len(seen) - 1} pages/API answers, "
                       f"downloads and workspace.sqlite3; after the 401 the chat said: '{told.splitlines()[0][:160]}'")


# -- document text shown in the page --------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_web(hostile_assistant):
    yield from serve_signed_in(hostile_assistant)


def _unescaped(html: str, markdown: bool = False) -> list[str]:
    """Markup from the hostile payloads that survived as markup (a markdown link is markup only where markdown renders)."""
    found = [p for p in HOSTILE_PAYLOADS if p in html and (markdown or not p.startswith("["))]
    found += re.findall(r"<script\b|<img\b[^>]*onerror|href\s*=\s*['\"]?\s*javascript:", html, re.IGNORECASE)
    return found


def test_document_and_user_text_is_escaped_in_every_panel(hostile_web, reliability):
    ann = client(hostile_web, "ann")
    title = "<img src=x onerror=alert(1)> Plan <script>alert(2)</script>"
    plan_id = create_plan(ann, title)
    drafted = ann.predict(plan_id, "transformation", api_name="/draft_section")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drafted[SECTION] + drafted[EVIDENCE]
    cited = "&lt;script&gt;" in drafted[SECTION] or "&lt;img" in drafted[SECTION]
    chat = ann.predict(plan_id, "transformation", "<img src=x onerror=alert(3)> shorter please", api_name="/chat")
    table, _ = ann.predict(plan_id, False, api_name="/review")
    loaded = ann.predict(api_name="/load")
    panels = {"section": chat[SECTION], "evidence": chat[EVIDENCE], "review": table,
              "budget": loaded[2], "gaps/notes": "".join(str(x) for x in chat[6:8])}
    for name, html in panels.items():
        assert _unescaped(html, markdown=name == "gaps/notes") == [], (name, html)
    evidence_text = re.sub(r"</?mark>", "", chat[EVIDENCE])  # the words a sentence shares with a passage are marked
    assert "&lt;img src=x onerror=alert(1)&gt;" in evidence_text and "javascript:alert(1)" in evidence_text  # shown as text
    assert loaded[0]["choices"][0][0] == title  # the title is data for the dropdown (rendered as text), kept as typed
    md_path = ann.predict(plan_id, api_name="/export_markdown")[0]
    reliability.record("Web app", "document text with <script>, <img onerror>, javascript: and markdown links; "
                       "plan title and chat message with markup",
                       f"section ({'cites the hostile passages' if cited else 'no hostile sentence kept'}), evidence, "
                       "review, budget, gaps and notes HTML hold it only escaped (&lt;script&gt;…); no <script>, "
                       f"onerror or javascript: href in any panel; Markdown export {Path(md_path).stat().st_size} bytes")


def test_every_answer_carries_the_security_headers(web, reliability):
    """Pages, API answers, refusals and the sign-in limit's own answers: none without the policy."""
    ann = login(web, "ann")
    anonymous = httpx.Client(base_url=web.url, timeout=60)
    answers = {"page": ann.get(""), "config": ann.get("config"), "api info": ann.get("gradio_api/info"),
               "unknown file": ann.get("gradio_api/file=/etc/passwd"), "login page": anonymous.get(""),
               "wrong password": anonymous.post("login", data={"username": "nobody", "password": "x"})}
    for name, answer in answers.items():
        policy = answer.headers.get("content-security-policy", "")
        assert "img-src 'self' data: blob:" in policy and "connect-src 'self'" in policy, (name, answer.status_code)
        assert answer.headers.get("x-content-type-options") == "nosniff" and answer.headers.get("referrer-policy") == "no-referrer"
    reliability.record("Web app", "security headers on " + ", ".join(f"{n} ({a.status_code})" for n, a in answers.items()),
                       "each carried the Content-Security-Policy (images, scripts, connections from the app only), "
                       "nosniff and no-referrer")
