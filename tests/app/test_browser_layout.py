"""The layout an officer expects, measured in a real browser (headless Chromium, as test_browser.py): at
1440x900 with the budget sidebar open the section and its evidence side by side, the evidence in view while
the page scrolls; a phone (390x844) opens on the plan; keyboard focus is visible; locked sections look and
act locked; flag reasons and matching words show without hovering; plans can be deleted; the Export tab
shows the opened plan's council. The tests of this module drive one app on a store with no plans, in order.
Screenshots are saved under out/test-output/browser/layout-*.png."""

from __future__ import annotations

import re

import pytest

from assistant.retrieve import tokenize
from tests.app.browser import OUTPUT, app_in_chromium

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
FLAGGED = "We will save \u00a3123,456,789 next year. [1]"


@pytest.fixture(scope="module")
def page(corpus_assistant, tmp_path_factory):
    from assistant.api import Assistant
    from tests.app.conftest import plan_free_settings

    assistant = Assistant(plan_free_settings(corpus_assistant, tmp_path_factory.mktemp("layout")))
    with app_in_chromium(assistant, tmp_path_factory.mktemp("chromium-profile"), "layout-last.png") as page:
        page.set_viewport_size(DESKTOP)
        page.locator("#budget").get_by_text("Create a plan to start").wait_for()
        yield page


def shot(page, name: str, full: bool = False) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"layout-{name}.png"), full_page=full)


def box(page, selector: str) -> dict:
    """Where an element is in the viewport now (CSS pixels)."""
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on the page"
    return {**found, "right": found["x"] + found["width"], "bottom": found["y"] + found["height"]}


def no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def sidebar_open(page) -> bool:
    return "open" in page.locator("#budget-sidebar").get_attribute("class").split()


def draft(page, theme_title: str | None = None) -> None:
    if theme_title:
        page.locator("#themes").get_by_text(theme_title).click()
        page.locator("#section").get_by_text("Not drafted yet").wait_for()
    page.get_by_role("button", name="Draft this section").click()
    page.locator("#section a.cite").first.wait_for()


def test_the_first_screen_says_what_to_do_first_in_plain_words(page):
    welcome = page.locator("#welcome")
    welcome.wait_for()
    text = welcome.inner_text()
    for step in ("Create a plan", "Corpus", "Draft this section", "Accept and lock", "Export"):
        assert step in text, step
    banner = page.locator("#banner").inner_text()
    assert "Drafting offline" in banner
    # No setting names on the officer's screen (OPENAI_BASE_URL, ASSISTANT_COUNCIL, ...).
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", page.locator("body").inner_text()), banner
    shot(page, "first-screen")
    page.get_by_label("New plan title").fill("Layout plan")
    page.get_by_role("button", name="Create plan").click()
    page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()
    welcome.wait_for(state="hidden")  # a plan is open: the page is the plan's


def test_evidence_sits_beside_the_section_and_stays_in_view_while_the_page_scrolls(page):
    draft(page)
    page.wait_for_function("() => document.querySelector('#budget-sidebar').classList.contains('open')")
    page.wait_for_timeout(500)  # the sidebar slides in
    section, evidence, sidebar = box(page, "#section"), box(page, "#evidence-column"), box(page, "#budget-sidebar")
    assert evidence["x"] >= section["right"] - 1, (section, evidence)  # right of the section text...
    assert evidence["y"] < section["bottom"] and section["y"] < evidence["bottom"], (section, evidence)  # ...beside it
    assert evidence["right"] <= sidebar["x"] + 1, (evidence, sidebar)  # and the open budget covers neither
    assert sidebar["x"] < DESKTOP["width"] and "Total" in page.locator("#budget").inner_text()
    no_horizontal_scroll(page)
    shot(page, "desktop-drafted")

    page.evaluate("() => window.scrollTo(0, 0)")
    top_before = box(page, "#evidence-column")["y"]
    page.mouse.move(300, 500)
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => window.scrollY > 300")
    scrolled = page.evaluate("() => window.scrollY")
    evidence = box(page, "#evidence-column")
    # A panel that scrolled with the page would now be `scrolled` px higher; a sticky one holds its place at the top.
    assert evidence["y"] > top_before - scrolled + 100, (top_before, scrolled, evidence)
    assert 0 <= evidence["y"] <= 40 and evidence["bottom"] <= DESKTOP["height"], evidence
    section = box(page, "#section")
    assert section["y"] < evidence["bottom"] and evidence["y"] < section["bottom"]  # still beside the text being read
    shot(page, "desktop-scrolled")
    page.evaluate("() => window.scrollTo(0, 0)")


def test_a_citation_opens_its_passage_with_the_sentences_words_marked(page):
    link = page.locator("#section a.cite").nth(1)
    sentence = link.locator("xpath=ancestor::span[contains(@class, 'sentence')]").inner_text()
    sentence = re.sub(r"\[\d+\]", "", sentence)
    link.click()
    passage = page.locator(f"#{link.get_attribute('data-target')}")
    assert "open" in passage.get_attribute("class")
    marks = passage.locator(".words.shown mark")
    assert marks.count() > 0 and marks.first.is_visible()
    wanted = set(tokenize(sentence))
    for word in marks.all_inner_texts():  # every marked word is one the sentence uses, as the Review tab marks them
        assert set(tokenize(word)) <= wanted, (word, sentence)
    assert page.locator("#section .sentence.reading").count() == 1  # and the sentence being read is marked too
    uncited = page.locator("#evidence .passage").filter(has_text="not cited")
    if uncited.count():
        assert uncited.first.locator(".words.shown mark").count() == 0  # a passage nothing cites has nothing marked
    shot(page, "citation-words")


def test_a_flag_reason_is_shown_as_text_beside_its_sentence(page):
    page.get_by_text("Edit the text yourself").click()
    editor = page.locator("#editor textarea")
    editor.fill(editor.input_value() + "\n\n" + FLAGGED)
    # Gradio takes a textbox's value from its input events; a click straight after fill() could send the old text
    # (seen under load), so leave the box and give the page a moment, as an officer moving to the button does.
    editor.blur()
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Save and re-check").click()
    flagged = page.locator("#section .sentence.flagged").filter(has_text="123,456,789")
    flagged.wait_for()
    reason = flagged.locator(".flag-reason")
    assert reason.is_visible() and "number not in source" in reason.inner_text()  # read without hovering
    assert flagged.get_attribute("title") is None  # not (only) a tooltip
    flagged.scroll_into_view_if_needed()
    shot(page, "flag-reason")


def test_an_accepted_section_is_visibly_locked_until_reopened(page):
    draft(page, "Technology and data")
    page.get_by_text("Versions (undo)").click()  # the editor is open already (the flag test): every control in view
    page.get_by_role("button", name="Accept and lock").click()
    state = page.locator("#section-state")
    state.get_by_text("Locked \u2014 reopen to change").wait_for()
    page.wait_for_function("() => document.querySelector('#message textarea').disabled")
    locked = ["Send", "Draft this section", "Accept and lock", "Save and re-check", "Restore this version"]
    for name in locked:
        assert page.get_by_role("button", name=name).is_disabled(), name
    assert page.locator("#message textarea").is_disabled() and page.locator("#editor textarea").is_disabled()
    assert page.get_by_role("button", name="Reopen").is_enabled()
    shot(page, "locked")
    page.get_by_role("button", name="Reopen").click()
    state.get_by_text("drafted").wait_for()
    page.wait_for_function("() => !document.querySelector('#message textarea').disabled")
    for name in locked:
        assert page.get_by_role("button", name=name).is_enabled(), name
    assert page.locator("#editor textarea").is_enabled() and page.get_by_role("button", name="Reopen").is_disabled()


def test_keyboard_focus_is_visible_and_a_citation_opens_from_the_keyboard(page):
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement?.blur(); }")
    page.locator("#banner").click()  # start from the top of the page, nothing focused
    seen, outlines = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {tag: e.tagName, cls: String(e.className), text: (e.innerText || e.value || '').slice(0, 30),
                    style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor}; }""")
        seen.append(focused)
        if focused["tag"] == "BODY":
            continue
        outlines.append(focused)
        # Every stop shows where it is, in the focus colour (GOV.UK yellow), not the element's own or none.
        assert focused["style"] not in ("none", "") and focused["width"] >= 2 and focused["color"] == "rgb(255, 221, 0)", focused
        if focused["tag"] == "A" and "cite" in focused["cls"]:
            break
    else:
        pytest.fail(f"no citation reached with Tab: {[f['text'] for f in seen]}")
    assert any(f["tag"] == "BUTTON" for f in outlines)  # buttons (Create plan, Draft...) were stops on the way
    shot(page, "keyboard-focus")
    page.keyboard.press("Enter")  # opens the passage, as a click does
    target = page.evaluate("() => document.activeElement.dataset.target")
    assert "open" in page.locator(f"#{target}").get_attribute("class")


def test_opening_a_plan_shows_its_council_in_the_export_tab(page):
    page.get_by_role("tab", name="Export").click()
    council = page.locator("#council textarea, #council input").first
    assert council.input_value() == "The Council"  # the new plan's council, not an empty box
    council.fill("Northshire County Council")
    page.get_by_role("button", name="Save council").click()
    page.get_by_text("will print \u201cNorthshire County Council\u201d").wait_for()
    page.get_by_label("New plan title").fill("Second plan")
    page.get_by_role("button", name="Create plan").click()
    page.wait_for_function("() => document.querySelector('#plan input').value === 'Second plan'")
    page.wait_for_function("() => document.querySelector('#council textarea, #council input').value === 'The Council'")
    page.locator("#plan input").click()
    page.get_by_role("option", name="Layout plan").click()
    page.wait_for_function(
        "() => document.querySelector('#council textarea, #council input').value === 'Northshire County Council'")
    shot(page, "export-council")


def test_deleting_a_plan_asks_first_then_takes_it_off_the_list(page):
    page.get_by_role("tab", name="Draft").click()
    page.locator("#plan input").click()
    page.get_by_role("option", name="Second plan").click()
    page.wait_for_function("() => document.querySelector('#plan input').value === 'Second plan'")
    page.get_by_text("Rename or delete this plan").click()
    page.get_by_role("button", name="Delete this plan", exact=True).click()
    question = page.locator("#confirm-delete-text")
    question.get_by_text("Delete \u201cSecond plan\u201d?").wait_for()
    shot(page, "delete-confirm")
    page.get_by_role("button", name="Keep it").click()
    question.wait_for(state="hidden")
    page.locator("#plan input").click()
    assert page.get_by_role("option", name="Second plan").count() == 1  # kept
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Delete this plan", exact=True).click()
    page.get_by_role("button", name="Delete the plan", exact=True).click()
    page.wait_for_function("() => document.querySelector('#plan input').value === 'Layout plan'")  # the next plan opens
    page.locator("#plan input").click()
    options = [o.split("\n")[-1] for o in page.get_by_role("option").all_inner_texts()]  # without the chosen mark
    page.keyboard.press("Escape")
    assert "Second plan" not in options and "Layout plan" in options, options
    assert page.locator("#section a.cite").count() > 0  # showing the plan that is left, drafted as it was


def test_a_phone_opens_on_the_plan_without_sideways_scrolling(page):
    phone = page.context.new_page()
    try:
        phone.set_viewport_size(PHONE)
        phone.goto(page.app_url)
        phone.wait_for_function("() => (document.querySelector('#section')?.innerText || '').includes('[')")
        phone.wait_for_timeout(1000)  # time for the sidebar to have opened, were it going to
        assert not sidebar_open(phone)
        plan = box(phone, "#plan")
        assert plan["right"] <= PHONE["width"] and plan["y"] < PHONE["height"]  # the plan chooser is on the first screen
        # What is drawn over the plan chooser is the chooser, not the budget sidebar.
        assert phone.evaluate(f"() => !!document.elementFromPoint({plan['x'] + 20}, {plan['y'] + 20}).closest('#plan')")
        assert box(phone, "#budget-sidebar")["x"] >= PHONE["width"] - 1
        no_horizontal_scroll(phone)
        phone.screenshot(path=str(OUTPUT / "layout-phone.png"))
        phone.screenshot(path=str(OUTPUT / "layout-phone-full.png"), full_page=True)
        # The budget is one tap away, and closes again.
        phone.locator("#budget-sidebar .toggle-button").click()
        phone.wait_for_function("() => document.querySelector('#budget-sidebar').classList.contains('open')")
        phone.wait_for_timeout(500)
        assert "Total" in phone.locator("#budget").inner_text()
        phone.screenshot(path=str(OUTPUT / "layout-phone-budget.png"))
        no_horizontal_scroll(phone)
    finally:
        phone.close()
