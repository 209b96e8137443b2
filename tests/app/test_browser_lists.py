"""A document's definition list, drafted, shown and edited in a real browser (headless Chromium, as test_browser.py):
the Draft tab shows the entries as a bulleted list with their citations, the editor holds them as "- " lines, and
saving the editor's text keeps them a list."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from tests.app.browser import OUTPUT, app_in_chromium
from tests.conftest import make_settings
from tests.draft.test_offline import TOOLS_REPORT


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists-docs")
    (folder / "digital-update.md").write_text(TOOLS_REPORT, encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("lists-store")))
    assert assistant.ingest([folder]).ok
    with app_in_chromium(assistant, tmp_path_factory.mktemp("chromium-profile"), "lists-last.png") as page:
        page.wait_for_function("() => (document.querySelector('#budget')?.innerText || '').trim().length > 0")
        page.get_by_label("New plan title").fill("Lists plan")
        page.get_by_role("button", name="Create plan").click()
        page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()
        page.locator("#themes").get_by_text("Technology and data").click()
        page.get_by_role("button", name="Draft this section").click()
        page.locator("#section a.cite").first.wait_for()
        yield page


def test_a_definition_list_shows_as_a_list_and_survives_an_edit(page):
    items = page.locator("#section ul li")
    items.first.wait_for()
    shown = items.all_inner_texts()
    assert any(t.startswith("Minute Taker: An artificial intelligence assistant") for t in shown), shown
    assert all(" [" in t for t in shown), "each item keeps its citation"
    assert page.locator("#section ul li a.cite").count() == len(shown)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "lists-drafted.png"), full_page=True)

    page.get_by_text("Edit the text yourself").click()
    editor = page.locator("#editor textarea")
    text = editor.input_value()
    assert "\n- Minute Taker: " in "\n" + text
    editor.fill(text + "\n\nOur officers review every tool each year.")
    page.get_by_role("button", name="Save and re-check").click()
    page.locator("#section").get_by_text("Our officers review every tool each year.").wait_for()
    assert page.locator("#section ul li").all_inner_texts() == shown, "the saved edit keeps the list as it was"
    assert "Our officers review" not in " ".join(page.locator("#section ul li").all_inner_texts())
