"""Hostile text in a real browser (headless Chromium via Playwright, as test_browser.py): a corpus whose
sentences carry <script>, <img onerror>, javascript: and markdown links, a plan title and a chat message
with markup. Drafting, showing a passage, chatting and reviewing must fire no dialog and put no
injected element in the page; the text shows as text."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.app.browser import OUTPUT, app_in_chromium
from tests.app.conftest import free_port

TITLE = "<img src=x onerror=alert('title')> Plan <script>alert('title')</script>"
CHAT = "<img src=x onerror=alert('chat')> [see](javascript:alert('chat-link')) <b id=injected>shorter</b>"

# Everything an injection would leave in the DOM, counted in the page itself.
INJECTED_JS = """() => ({
  img_x: document.querySelectorAll('img[src="x"]').length,
  onerror: document.querySelectorAll('[onerror]').length,
  scripts_with_alert: [...document.scripts].filter((s) => s.textContent.includes('alert(')).length,
  javascript_links: [...document.querySelectorAll('a[href]')].filter((a) => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')).length,
  injected_b: document.querySelectorAll('#injected').length,
})"""


@pytest.fixture(scope="module")
def hostile_page(hostile_assistant, tmp_path_factory):
    with app_in_chromium(hostile_assistant, tmp_path_factory.mktemp("chromium-profile"), "hostile-last.png") as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        yield page, dialogs


def test_hostile_text_runs_nothing_in_a_browser(hostile_page, reliability):
    page, dialogs = hostile_page
    page.locator("#budget").get_by_text("Create a plan to start").wait_for()
    page.get_by_label("New plan title").fill(TITLE)
    page.get_by_role("button", name="Create plan").click()
    page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()

    page.get_by_role("button", name="Draft this section").click()
    citation = page.locator("#section a.cite").first
    citation.wait_for()
    citation.click()
    evidence = page.locator("#evidence").inner_text()
    assert "<script>alert(1)</script>" in evidence and "<img src=x onerror=alert(1)>" in evidence  # shown as text

    page.locator("#message textarea").fill(CHAT)
    page.get_by_role("button", name="Send").click()
    page.locator("#chat").get_by_text("Revised with").wait_for()
    page.get_by_role("tab", name="Review").click()
    page.get_by_role("button", name="Refresh").click()
    page.locator("#review table").wait_for()
    page.wait_for_timeout(1500)  # let any image error or deferred handler fire

    injected = page.evaluate(INJECTED_JS)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "hostile-review.png"), full_page=True)
    assert dialogs == []
    assert injected == {"img_x": 0, "onerror": 0, "scripts_with_alert": 0, "javascript_links": 0, "injected_b": 0}
    assert "<script>" in page.locator("#review").inner_text()  # the review shows the passage's text as text
    assert "Plan" in page.locator("#plan input").input_value() and "<img" in page.locator("#plan input").input_value()
    reliability.record(
        "Web app",
        "headless Chromium: hostile corpus drafted, citation opened, plan title and chat message with <img onerror>, "
        "<script>, javascript: link and <b id=injected>; review tab shown",
        f"{len(dialogs)} dialogs; in the DOM: {injected}; payloads visible as text in the evidence, review and plan name",
    )


@contextmanager
def beacon_server():
    """A local HTTP server that records every path asked of it: where a planted document points browsers."""
    hits: list[str] = []

    class Beacon(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG_1PX)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
                        "0000050001e226059b0000000049454e44ae426082")


def test_a_planted_document_makes_no_browser_call_out(hostile_page, tmp_path, reliability):
    """The beacon case: a heading `![logo](http://…/beacon-title.png) Digital strategy` and a passage with an
    <img> pointing at a server the test runs. Ingested, drafted from, shown as evidence, reviewed and removed
    in the browser: the server hears nothing, and the page runs under its Content-Security-Policy untroubled."""
    with beacon_server() as (port, hits):
        # A web page's first heading is the document's title, kept as written (as a PDF's or a Word file's would be).
        document = tmp_path / "digital-beacon.html"
        document.write_text(
            f"<html><body><h1>![logo](http://127.0.0.1:{port}/beacon-title.png) Digital strategy</h1>"
            f"<p>The Council uses data dashboards to plan its services &lt;img src=\"http://127.0.0.1:{port}/beacon-passage.png\"&gt; "
            "and moved 70 per cent of customer contact online in 2024.</p>"
            "<p>The Council will replace its housing system in 2025 with a cloud platform that shares data across services "
            f"![chart](http://127.0.0.1:{port}/beacon-chart.png).</p></body></html>\n", encoding="utf-8")
        # A fresh tab on the same app (one Playwright per module), listening for CSP reports from its first load.
        page = hostile_page[0].context.new_page()
        page.set_default_timeout(120_000)
        csp: list[str] = []
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(hostile_page[0].app_url)
        try:
            headers = httpx.get(hostile_page[0].app_url).headers
            assert "img-src 'self' data: blob:" in headers["content-security-policy"]
            assert headers["referrer-policy"] == "no-referrer"

            page.get_by_role("tab", name="Corpus").click()
            page.locator("input[type=file][multiple]").set_input_files(str(document))
            page.get_by_role("button", name="Ingest").click()
            page.wait_for_function("() => document.querySelector('#ingest-status textarea').value.includes('ingested 1 file')")
            page.wait_for_function("() => document.querySelector('#documents').innerText.includes('beacon-title.png')")

            page.get_by_role("tab", name="Draft").click()
            page.get_by_label("New plan title").fill(f"![plan](http://127.0.0.1:{port}/beacon-plan.png) Digital plan")
            page.get_by_role("button", name="Create plan").click()
            page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()
            page.locator("#themes").get_by_text("Technology and data").click()
            page.get_by_role("button", name="Draft this section").click()
            page.locator("#section a.cite").first.wait_for()
            for citation in page.locator("#section a.cite").all():
                citation.click()
            evidence = page.locator("#evidence").inner_text()
            assert f"127.0.0.1:{port}/beacon-passage.png" in evidence  # the planted markup, shown as text
            page.get_by_role("tab", name="Review").click()
            page.get_by_role("button", name="Refresh").click()
            page.locator("#review table").wait_for()
            review = page.locator("#review").inner_text()

            page.get_by_role("tab", name="Corpus").click()
            doomed = page.get_by_label("Document", exact=True)
            doomed.click()
            page.get_by_role("option").filter(has_text="beacon-title.png").first.click()
            page.get_by_role("button", name="Remove", exact=True).click()
            page.locator("#remove-text").get_by_text("beacon-title.png").wait_for()  # asked first, the title as text
            page.get_by_role("button", name="Remove it").click()
            page.wait_for_function("() => document.querySelector('#ingest-status textarea').value.startsWith('Removed')")
            removed = page.locator("#ingest-status textarea").input_value()
            page.wait_for_timeout(1500)  # let any image load or deferred render happen
            page.screenshot(path=str(OUTPUT / "beacon-corpus.png"), full_page=True)
            shown_hits, shown_csp = list(hits), list(csp)

            # The control: the same browser, on a page of its own without the app, does reach the beacon.
            control = page.context.new_page()
            control.set_content(f"<img src='http://127.0.0.1:{port}/control.png'>")
            control.wait_for_timeout(1000)
            control.close()
        finally:
            page.close()
        assert shown_hits == [], shown_hits
        assert shown_csp == [], shown_csp  # nothing blocked either: no markup made an image, and Gradio runs within the policy
        assert hits == ["/control.png"], hits
    assert "beacon-title.png" in removed and "![logo]" in removed
    reliability.record(
        "Web app",
        "headless Chromium, the beacon case: a document headed ![logo](http://127.0.0.1:<port>/beacon-title.png) with an "
        "<img> and a markdown image in its passages, uploaded, drafted from, citations opened, reviewed, removed; "
        "a plan titled with a markdown image",
        f"0 requests reached the beacon server (a page outside the app reached it: {hits}); 0 CSP reports; "
        f"evidence, review ({len(review)} chars) and status showed the markup as text: '{removed[:90]}'",
    )
