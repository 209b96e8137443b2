"""A real browser (Debian's headless Chromium, driven by Playwright) against the launched app:
create a plan, draft a section, open a citation's passage, export the DOCX (a DRAFT, its pages as the meter said).
Screenshots are saved under out/test-output/browser/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from docx import Document

from tests.app.browser import OUTPUT, app_in_chromium


@pytest.fixture(scope="module")
def browser_page(corpus_assistant, tmp_path_factory):
    with app_in_chromium(corpus_assistant, tmp_path_factory.mktemp("chromium-profile"), "last.png") as page:
        yield page


def test_draft_open_citation_and_export_in_a_browser(browser_page, corpus_assistant):
    page = browser_page
    page.locator("#budget").get_by_text("Create a plan to start").wait_for()  # the app has loaded this user's state
    page.get_by_label("New plan title").fill("Browser plan")
    page.get_by_role("button", name="Create plan").click()
    page.locator("#themes").get_by_text("empty \u00b7").first.wait_for()  # the plan's sections, with their budgets

    page.get_by_role("button", name="Draft this section").click()
    first_citation = page.locator("#section a.cite").first
    first_citation.wait_for()
    assert "\u25d0 drafted" in page.locator("#themes").inner_text()
    assert "within the limit" in page.locator("#budget").inner_text()

    target = first_citation.get_attribute("data-target")
    first_citation.click()
    passage = page.locator(f"#{target}")
    assert "open" in passage.get_attribute("class")
    number = first_citation.inner_text().strip("[]")
    assert passage.inner_text().startswith(f"[{number}]")
    # The passage shown is the one the section cites: its text is in the evidence for that number.
    evidence = {e.number: e for e in _section_evidence(corpus_assistant, page)}
    assert evidence[int(number)].text[:40] in passage.inner_text()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "citation-open.png"), full_page=True)

    page.get_by_role("tab", name="Export").click()
    page.get_by_role("button", name="Word (DOCX)").click()
    page.get_by_text("of 4 pages").wait_for()
    # One section drafted, none accepted: the page says it is a DRAFT, and so does the document.
    body = page.locator("body").inner_text()
    assert "DRAFT" in body and "Sections not yet accepted (4)" in body
    # The sidebar's meter says where the references are, and agrees with the rendered page count.
    meter = page.locator("#budget").inner_text()
    assert "counted in the page limit" in meter
    meter_pages = float(re.search(r"(\d+\.\d+) of 4", meter).group(1))
    rendered = float(re.search(r"\((\d+\.\d+) filled, rendered with LibreOffice\)", body).group(1))
    assert abs(meter_pages - rendered) <= 0.25, (meter_pages, rendered)
    with page.expect_download() as download_info:
        page.locator("#download a").first.click()
    saved = OUTPUT / "browser-plan.docx"
    download_info.value.save_as(str(saved))
    headings = [p.text for p in Document(str(saved)).paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["DRAFT \u2014 not the final plan", corpus_assistant.template.theme("transformation").heading, "References"]
    page.screenshot(path=str(OUTPUT / "export.png"), full_page=True)


def _section_evidence(assistant, page):
    """The evidence the drafted section holds, read back from the workspace the app wrote to."""
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.service import Workspace

    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    plan = next(p for p in workspace.plans("local") if p.title == "Browser plan")
    return workspace.section("local", plan.id, "transformation").section.evidence
