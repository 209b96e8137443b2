"""The corpus is safe to share, in a real browser (headless Chromium, as test_browser.py): an upload under
a stored name asks and "Keep both" keeps both; a plan limited to one council's documents cites only them;
a new title shows in the evidence panel; removal asks first, naming the plans that cite the document.
One store holds two councils' documents (tests/councils.py); the tests of this module run in order on
one page, as an officer would. Screenshots are saved under out/test-output/browser/."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from tests.app.browser import ERROR_BADGES, OUTPUT, app_in_chromium
from tests.conftest import make_settings
from tests.councils import write_councils

PLAN = "Harbourside plan"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-corpus")
    assistant = Assistant(make_settings(root / "data"))
    report = assistant.ingest([p for paths in write_councils(root / "docs").values() for p in paths])
    assert report.ok and len(report.added) == 4, report.failed
    with app_in_chromium(assistant, tmp_path_factory.mktemp("chromium-profile"), "corpus-last.png") as page:
        page.wait_for_function("() => (document.querySelector('#budget')?.innerText || '').trim().length > 0")
        page.get_by_label("New plan title").fill(PLAN)
        page.get_by_role("button", name="Create plan").click()
        page.wait_for_function(f"() => document.querySelector('#plan input').value === {PLAN!r}")
        page.get_by_role("tab", name="Corpus").click()
        page.wait_for_function("() => document.querySelector('#documents').innerText.includes('northfield-cabinet-minutes.txt')")
        yield page


def shot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


def choose_document(page, text: str) -> None:
    page.locator("#document input").click()
    page.get_by_role("option").filter(has_text=text).first.click()


def test_an_upload_under_a_stored_name_asks_and_keep_both_keeps_both(page, tmp_path):
    newer = tmp_path / "harbourside-digital-plan.txt"
    newer.write_text("Harbourside digital plan 2025\n\nHarbourside Council launched a new website for residents in 2025, with "
                     "online forms for every service and a digital inclusion helpline.\n", encoding="utf-8")
    page.locator("input[type=file][multiple]").set_input_files(str(newer))
    page.get_by_role("button", name="Ingest").click()
    page.locator("#clash-text").get_by_text("harbourside-digital-plan.txt is already in the corpus").wait_for()
    assert "harbourside-digital-plan (2).txt" not in page.locator("#documents").inner_text()  # nothing added while it asks
    shot(page, "corpus-clash-asks.png")
    page.get_by_role("button", name="Keep both").click()
    page.wait_for_function("() => document.querySelector('#documents').innerText.includes('harbourside-digital-plan (2).txt')")
    page.get_by_role("button", name="Keep both").wait_for(state="hidden")  # the question is answered
    table = page.locator("#documents").inner_text()
    assert "harbourside-digital-plan.txt" in table and "Harbourside digital plan (2)" in table  # its own title
    assert "kept both" in page.locator("#ingest-status textarea").input_value()
    assert "added" in page.locator("#corpus-log").inner_text()


def test_a_plan_limited_to_one_councils_documents_cites_only_them(page):
    documents = page.locator("#plan-documents")
    # The list as refreshed after the upload (five documents), before ticking: a refresh landing later would reset it.
    documents.get_by_text("harbourside-digital-plan (2).txt").wait_for()
    for label in documents.locator("label").all():
        if "northfield" in label.inner_text():
            label.locator("input").uncheck()
    page.wait_for_function("() => !document.querySelector('#all-documents input').checked")  # choosing means not "all" any more
    page.get_by_role("button", name="Save this plan's documents").click()
    page.locator("#plan-documents-status").get_by_text("drafts from 3 of the 5 documents").wait_for()
    shot(page, "corpus-plan-documents.png")

    page.get_by_role("tab", name="Draft").click()
    page.get_by_role("button", name="Draft this section").click()
    page.locator("#section a.cite").first.wait_for()
    evidence = page.locator("#evidence").inner_text()
    assert "Harbourside" in evidence and "Northfield" not in evidence
    assert "Northfield" not in page.locator("#section").inner_text()


def test_a_new_title_shows_in_the_evidence_panel(page):
    page.get_by_role("tab", name="Corpus").click()
    choose_document(page, "harbourside-transformation-report.txt")
    title_box = page.locator("#document-title textarea, #document-title input").first
    page.wait_for_function("() => [...document.querySelectorAll('#document-title textarea, #document-title input')]"
                           ".some(e => e.value === 'Harbourside transformation report')")
    title_box.fill("Transformation <i>report</i> to Cabinet, 2024")
    page.get_by_role("button", name="Save title").click()
    page.wait_for_function("() => document.querySelector('#documents').innerText.includes('Transformation <i>report</i> to Cabinet')")
    assert "retitled" in page.locator("#corpus-log").inner_text()

    page.get_by_role("tab", name="Draft").click()  # back on the draft, its passages carry the new title
    page.locator("#evidence").get_by_text("Transformation <i>report</i> to Cabinet, 2024").first.wait_for()
    assert page.locator("#evidence i").count() == 0  # the title is text, not markup
    shot(page, "corpus-retitled-evidence.png")


def test_removal_asks_first_and_names_the_plans_that_cite_it(page):
    page.get_by_role("tab", name="Corpus").click()
    choose_document(page, "harbourside-transformation-report.txt")
    page.get_by_role("button", name="Remove", exact=True).click()
    question = page.locator("#remove-text")
    question.get_by_text(PLAN).wait_for()
    assert "Transformation <i>report</i> to Cabinet, 2024" in question.inner_text() and "Cited by your plan" in question.inner_text()
    shot(page, "corpus-remove-asks.png")
    page.get_by_role("button", name="Keep it").click()
    page.get_by_role("button", name="Keep it").wait_for(state="hidden")
    assert "harbourside-transformation-report.txt" in page.locator("#documents").inner_text()

    page.get_by_role("button", name="Remove", exact=True).click()
    question.get_by_text(PLAN).wait_for()
    page.get_by_role("button", name="Remove it").click()
    page.wait_for_function("() => document.querySelector('#ingest-status textarea').value.startsWith('Removed')")
    page.wait_for_function("() => !document.querySelector('#documents').innerText.includes('harbourside-transformation-report.txt')")
    assert "removed" in page.locator("#corpus-log").inner_text() and page.locator(ERROR_BADGES).count() == 0
