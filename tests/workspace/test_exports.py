"""Exports say what they are: a DRAFT unless every section is accepted and nothing is flagged or
rejected, with the council, version, date and page numbers of a council's own document.
Read back as a user would: python-docx for the file, LibreOffice's PDF render for the pages.
Real parts: the sample corpus in Chroma, the MiniLM embedder, SQLite on disk, LibreOffice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from pypdf import PdfReader

from assistant.page_check import libreoffice_binary, render_pdf
from assistant.render import section_body
from assistant.workspace.db import WorkspaceDB
from assistant.workspace.service import Workspace, WorkspaceError

needs_libreoffice = pytest.mark.skipif(libreoffice_binary() is None, reason="LibreOffice not installed")
COUNCIL = "Brackenridge Borough Council"
INVENTED = "The Council saved £99 million on agency staff in one year."
UNCITED = "This sentence cites nothing at all."


@pytest.fixture
def workspace(corpus_assistant, tmp_path) -> Workspace:
    return Workspace(corpus_assistant, WorkspaceDB(tmp_path / "workspace.sqlite3"))


def pdf_pages(docx_path, tmp_path) -> list[str]:
    pdf = render_pdf(docx_path, tmp_path)
    assert pdf is not None, "LibreOffice failed to render the export"
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages]


def draft(workspace, plan_id, theme):
    events = list(workspace.chat("ann", plan_id, theme, "Draft this section"))
    assert events[-1].kind == "done", events[-1].text
    return events[-1].record


def clean_and_accept(workspace, plan_id, theme):
    """Draft, drop any flagged sentence by editing, accept: the officer's way to a clean section."""
    record = draft(workspace, plan_id, theme)
    for _ in range(3):
        if not any(s.flags for s in record.section.sentences):
            break
        record.section.sentences = [s for s in record.section.sentences if not s.flags]
        record = workspace.edit("ann", plan_id, theme, section_body(record.section))
    assert record.section.sentences and not any(s.flags for s in record.section.sentences)
    return workspace.accept("ann", plan_id, theme)


@needs_libreoffice
def test_a_plan_with_an_invented_figure_an_uncited_and_a_rejected_sentence_exports_as_a_marked_draft(workspace, tmp_path):
    plan = workspace.create_plan("ann", "Productivity Plan 2024", council=COUNCIL)
    record = draft(workspace, plan.id, "transformation")
    draft(workspace, plan.id, "wasteful_spend")
    first = record.section.sentences[0]
    body = section_body(record.section) + f"\n\n{INVENTED} [{first.citations[0]}] {UNCITED}"
    workspace.edit("ann", plan.id, "transformation", body)
    rejected = next(r for r in workspace.review("ann", plan.id) if not r.flags)
    workspace.decide("ann", plan.id, rejected.key, "rejected", "Out of date")
    before = datetime.now(timezone.utc)

    path, check = workspace.export_docx("ann", plan.id, tmp_path / "one")
    doc = Document(str(path))
    # Every flagged or rejected sentence is highlighted and carries its reason as a Word comment.
    comments = {c.text: c.author for c in doc.comments}
    assert any("number not in source" in text for text in comments), comments
    assert any("no citation" in text for text in comments), comments
    assert "rejected by ann: Out of date" in comments
    highlighted = " ".join(r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW)
    assert INVENTED in highlighted and UNCITED in highlighted and rejected.text in highlighted
    unmarked = " ".join(r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color is None)
    assert record.section.sentences[-1].text in unmarked or len(record.section.sentences) == 1
    # Document properties are the plan's and the officer's, set now.
    props = doc.core_properties
    assert props.title == "Productivity Plan 2024" and props.author == "ann" and props.category == "Draft"
    assert props.author != "python-docx" and abs(props.created.replace(tzinfo=timezone.utc) - before) < timedelta(minutes=5)
    assert COUNCIL in props.keywords

    pages = pdf_pages(path, tmp_path / "one")
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "DRAFT" in text and COUNCIL in text, f"page {number} lacks the DRAFT mark or the council"
        assert f"Page {number} of {len(pages)}" in text and "Version 1 (draft)" in text
    cover = pages[0]
    assert "Sections not yet accepted (4)" in cover
    assert "Sentences flagged by verification: 2" in cover and "Sentences rejected by a reviewer: 1" in cover
    assert "£99 million" in cover and "Out of date" in cover
    assert check.cover_pages == 1 and "draft cover sheet" in check.message()

    md = workspace.export_markdown("ann", plan.id, tmp_path).read_text(encoding="utf-8")
    assert md.startswith(f"> **DRAFT \u2014 not the final plan.** {COUNCIL}, Version 1 (draft)")
    assert f"**\u26a0 {INVENTED}" in md and "number not in source" in md
    # Unchanged content keeps its version; any change is the next one.
    assert "Version 1 (draft)" in pdf_pages(workspace.export_docx("ann", plan.id, tmp_path / "two")[0], tmp_path / "two")[0]
    workspace.decide("ann", plan.id, rejected.key, "approved", "")
    assert workspace.export_markdown("ann", plan.id, tmp_path).read_text(encoding="utf-8").count("Version 2 (draft)") == 1


@needs_libreoffice
def test_only_a_fully_accepted_clean_plan_exports_unmarked(workspace, tmp_path):
    plan = workspace.create_plan("ann", "Productivity Plan 2024")
    workspace.set_council("ann", plan.id, COUNCIL)
    for theme in workspace.template.themes:
        clean_and_accept(workspace, plan.id, theme.id)
    assert not workspace.release("ann", plan.id).is_draft

    path, check = workspace.export_docx("ann", plan.id, tmp_path / "clean")
    doc = Document(str(path))
    assert not list(doc.comments) and doc.core_properties.category == "Final"
    pages = pdf_pages(path, tmp_path / "clean")
    assert not any("DRAFT" in text for text in pages) and "Productivity Plan 2024" in pages[0]
    assert all(f"Page {n} of {len(pages)}" in text and "Version 1 (final)" in text for n, text in enumerate(pages, 1))
    assert check.cover_pages == 0 and check.whole_pages == len(pages) and not check.over
    # The sidebar's meter and the export's check agree within a quarter page.
    assert abs(workspace.overview("ann", plan.id).pages - check.pages) <= 0.25, (workspace.overview("ann", plan.id).pages, check)
    assert workspace.export_markdown("ann", plan.id, tmp_path).read_text(encoding="utf-8").startswith("# Productivity Plan 2024")

    # A reviewer's rejection makes the next export a draft again, under a new version.
    row = workspace.review("ann", plan.id)[0]
    workspace.decide("ann", plan.id, row.key, "rejected", "Check this figure")
    again = pdf_pages(workspace.export_docx("ann", plan.id, tmp_path / "again")[0], tmp_path / "again")
    assert all("DRAFT" in text for text in again) and "Version 2 (draft)" in again[0]
    assert "Sections not yet accepted" not in again[0] and "Sentences rejected by a reviewer: 1" in again[0]


def test_the_council_defaults_from_the_settings_and_can_be_changed(workspace, corpus_assistant):
    plan = workspace.create_plan("ann", "Plan")
    assert plan.council == corpus_assistant.settings.council == "The Council"
    assert workspace.set_council("ann", plan.id, "  Kent   County Council ").council == "Kent County Council"
    assert workspace.release("ann", plan.id).council == "Kent County Council"
    with pytest.raises(WorkspaceError, match="council"):
        workspace.set_council("ann", plan.id, "  ")
