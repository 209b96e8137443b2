"""Hostile text in a real browser (headless Chromium via Playwright, as test_browser.py): a corpus whose
sentences carry <script>, <img onerror>, javascript: and markdown links, a plan title and a chat message
with markup. Drafting, showing a passage, chatting and reviewing must fire no dialog and put no
injected element in the page; the text shows as text."""

from __future__ import annotations

import pytest

from tests.app.browser import OUTPUT, app_in_chromium

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
