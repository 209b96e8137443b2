"""Nothing the officer wrote is lost, and the review flow, in a real browser (headless Chromium, as
test_browser.py). One plan is driven through the tests of this module in order, as an officer would:
edit a drafted section, refuse a redraft, review, save and move to the next flagged sentence,
redraft, undo. Screenshots are saved under out/test-output/browser/."""

from __future__ import annotations

import re

import pytest

from assistant.workspace.db import WorkspaceDB
from assistant.workspace.service import Workspace
from tests.app.browser import OUTPUT, app_in_chromium

TITLE = "Versions plan"
# Two sentences of the officer's own, uncited, so verification flags them for review.
OWN = ["Our officers agreed the new waste round with residents.", "Our own second sentence names no source."]


@pytest.fixture(scope="module")
def page(corpus_assistant, tmp_path_factory):
    with app_in_chromium(corpus_assistant, tmp_path_factory.mktemp("chromium-profile"), "versions-last.png") as page:
        # The shared store may hold other modules' plans for this user: wait for the load, then for this plan.
        page.wait_for_function("() => (document.querySelector('#budget')?.innerText || '').trim().length > 0")
        page.get_by_label("New plan title").fill(TITLE)
        page.get_by_role("button", name="Create plan").click()
        page.wait_for_function(f"() => document.querySelector('#plan input').value === {TITLE!r}")
        page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()
        page.get_by_role("button", name="Draft this section").click()
        page.locator("#section a.cite").first.wait_for()
        yield page


def stored(assistant):
    """The workspace the app writes to, read directly (the tests check what was saved, not only what shows)."""
    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    plan = next(p for p in workspace.plans("local") if p.title == TITLE)
    return workspace, plan.id


def choose(page, elem_id: str, text: str) -> None:
    """Pick the option holding `text` in a Gradio dropdown."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option").filter(has_text=text).first.click()


def decision_shown(page) -> str | None:
    checked = [d for d in ("pending", "approved", "rejected") if page.locator("#decision").get_by_label(d, exact=True).is_checked()]
    return checked[0] if checked else None


def review_row(page, sentence: str):
    """The review table's row for a sentence (its second cell; a cited passage may quote it too)."""
    return page.locator("#review tr").filter(has=page.locator("td:nth-child(2)", has_text=sentence[:40]))


def shot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


def test_redraft_asks_first_and_the_edit_survives_a_cancel(page, corpus_assistant):
    page.get_by_text("Edit the text yourself").click()
    editor = page.locator("#editor textarea")
    editor.fill(editor.input_value() + "\n\n" + " ".join(OWN))
    page.get_by_role("button", name="Save and re-check").click()
    page.locator("#section").get_by_text(OWN[0]).wait_for()

    page.get_by_role("button", name="Draft this section").click()
    page.locator("#confirm-text").get_by_text("your own edits").wait_for()
    shot(page, "versions-redraft-asks.png")
    keep = page.get_by_role("button", name="Keep my text")
    keep.click()
    keep.wait_for(state="hidden")
    assert OWN[0] in page.locator("#section").inner_text() and OWN[0] in editor.input_value()
    workspace, plan_id = stored(corpus_assistant)
    assert OWN[0] in [s.text for s in workspace.section("local", plan_id, "transformation").section.sentences]
    assert [v.kind for v in workspace.versions("local", plan_id, "transformation")] == ["edit", "draft"]


def test_opening_review_shows_the_table(page):
    page.get_by_role("tab", name="Review").click()
    table = page.locator("#review table")
    table.wait_for()  # without pressing Refresh
    assert OWN[0] in table.inner_text() and "no citation" in table.inner_text()
    page.locator("#reviewer").get_by_text("sign-in name").wait_for()
    assert "local" in page.locator("#reviewer").inner_text()  # decisions go under the signed-in name


def test_choosing_a_sentence_loads_its_decision(page, corpus_assistant):
    workspace, plan_id = stored(corpus_assistant)
    first = workspace.review("local", plan_id)[0]
    choose(page, "review-sentence", first.text[:40])
    page.locator("#decision").get_by_label("approved", exact=True).check()
    page.locator("#comment textarea").fill("Checked against the report")
    page.get_by_role("button", name="Save decision", exact=True).click()
    page.locator("#review").get_by_text("Checked against the report").wait_for()

    choose(page, "review-sentence", OWN[0][:40])
    page.wait_for_function("() => document.querySelector('#comment textarea').value === ''")
    assert decision_shown(page) == "pending"  # not the approval left from the sentence before
    choose(page, "review-sentence", first.text[:40])
    page.wait_for_function("() => document.querySelector('#comment textarea').value === 'Checked against the report'")
    assert decision_shown(page) == "approved"


def test_save_and_next_flagged(page, corpus_assistant):
    choose(page, "review-sentence", OWN[0][:40])
    page.wait_for_function("() => document.querySelector('#comment textarea').value === ''")
    page.locator("#decision").get_by_label("rejected", exact=True).check()
    page.locator("#comment textarea").fill("Not in any source")
    page.get_by_role("button", name="Save and next flagged").click()
    page.wait_for_function(f"() => document.querySelector('#review-sentence input').value.includes({OWN[1][:30]!r})")
    assert decision_shown(page) == "pending" and page.locator("#comment textarea").input_value() == ""
    assert "Not in any source" in page.locator("#review").inner_text()
    shot(page, "versions-save-and-next.png")
    workspace, plan_id = stored(corpus_assistant)
    assert {r.text: r.decision for r in workspace.review("local", plan_id)}[OWN[0]] == "rejected"


def test_review_decision_survives_a_redraft_that_keeps_the_sentence(page, corpus_assistant):
    workspace, plan_id = stored(corpus_assistant)
    approved = workspace.review("local", plan_id)[0].text
    page.get_by_role("tab", name="Draft").click()
    page.get_by_role("button", name="Draft this section").click()
    page.locator("#confirm-text").get_by_text("1 approved sentence").wait_for()
    page.get_by_role("button", name="Replace with a new draft").click()
    page.locator("#chat").get_by_text("Redrafted with").wait_for()
    assert OWN[0] not in page.locator("#section").inner_text()

    page.get_by_role("tab", name="Review").click()
    row = review_row(page, approved)
    row.get_by_text("Checked against the report").wait_for()
    assert "approved" in row.inner_text()


def test_undo_restores_an_earlier_version(page, corpus_assistant):
    page.get_by_role("tab", name="Draft").click()
    page.get_by_text("Versions (undo)").click()
    choose(page, "versions", "edited by hand")
    page.get_by_role("button", name="Restore this version").click()
    page.locator("#section").get_by_text(OWN[0]).wait_for()
    assert OWN[0] in page.locator("#editor textarea").input_value()
    page.locator("#versions input").click()
    labels = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert re.search(r"v4 \u00b7 restored \(version 2\) by local .* current", labels[0]), labels
    assert [label.split(" \u00b7 ")[1] for label in labels[1:]] == ["drafted (Draft this section) by local",
                                                                     "edited by hand by local",
                                                                     "drafted (Draft this section) by local"]
    shot(page, "versions-undo.png")
    # The rejection of the officer's sentence came back with it.
    page.get_by_role("tab", name="Review").click()
    review_row(page, OWN[0]).get_by_text("Not in any source").wait_for()
