"""A real browser on the workspace drafting with the managed local model (`serve --local-model`): the banner
names the model, the answer is seen streaming into the chat before the section appears, and a revision
goes through the same model. The model server is a real child process the product starts and stops (the
stand-in llama server of tests/llm/test_managed.py, streaming slowly enough to watch)."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.llm.managed import LocalModelBackend, start_local_model
from tests.app.browser import OUTPUT, app_in_chromium
from tests.app.conftest import plan_free_settings
from tests.llm.test_managed import fake_llama  # noqa: F401 - the fixture


# True once the chat shows words of the model's answer (not just the waiting dots) still marked unfinished.
STREAMING_JS = """() => {
  const text = document.querySelector('#chat').innerText;
  const open = text.lastIndexOf('Draft this section');
  const shown = text.slice(open + 'Draft this section'.length).trim();
  return shown.length > 40 && shown.includes('\u2026') && /[a-z]{4,}/.test(shown);
}"""


@pytest.fixture
def local_page(corpus_assistant, fake_llama, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("FAKE_LLAMA_STREAM_DELAY", "0.1")
    settings, backend = start_local_model(plan_free_settings(corpus_assistant, tmp_path))
    try:
        with app_in_chromium(Assistant(settings), tmp_path / "chromium-profile", "local-model-last.png") as page:
            yield page, backend
    finally:
        backend.stop()
        LocalModelBackend._shared.pop(settings.data_dir.resolve(), None)


def test_browser_drafts_streams_and_revises_with_the_local_model(local_page):
    page, backend = local_page
    assert "Drafting with the local model tiny-test-model" in page.locator("#banner").inner_text()
    page.locator("#budget").get_by_text("Create a plan to start").wait_for()
    page.get_by_label("New plan title").fill("Local model plan")
    page.get_by_role("button", name="Create plan").click()
    page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()

    page.get_by_role("button", name="Draft this section").click()
    # While the model writes, its sentences so far are in the chat, marked as unfinished, and no section is shown yet.
    page.wait_for_function(STREAMING_JS, timeout=120_000)
    assert page.locator("#section a.cite").count() == 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "local-model-streaming.png"), full_page=True)
    page.locator("#section a.cite").first.wait_for()
    page.locator("#chat").get_by_text("llm:tiny-test-model").first.wait_for()

    pid = backend.server.pid
    page.locator("#message textarea").fill("add the temporary accommodation pressures")
    page.get_by_role("button", name="Send").click()
    page.locator("#chat").get_by_text("Revised with").wait_for()
    assert "offline" not in page.locator("#chat").inner_text().lower()
    assert backend.server.pid == pid and backend.server.running()
