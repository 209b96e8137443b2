"""Two councils' documents in one store (tests/councils.py): a plan's document set keeps its drafting
to its own council's documents; removal says which plans cite a document (titles for the asker's own
plans, a count for another user's); a title an officer gives shows wherever the passage does.
Real parts: Chroma on disk, the MiniLM embedder, the offline drafter, SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.workspace.corpus import CorpusManager
from assistant.workspace.db import WorkspaceDB
from assistant.workspace.documents import cited_doc_ids, passages
from assistant.workspace.errors import WorkspaceError
from assistant.workspace.service import Workspace
from tests.conftest import make_settings
from tests.councils import write_councils

THEMES = ("transformation", "technology")


@pytest.fixture(scope="module")
def councils(tmp_path_factory):
    """One store holding both councils' documents; council -> its document ids."""
    root = tmp_path_factory.mktemp("councils")
    written = write_councils(root / "docs")
    assistant = Assistant(make_settings(root / "data"))
    report = assistant.ingest([root / "docs"])
    assert report.ok and len(report.added) == 4, report.failed
    by_source = {d.source: d.doc_id for d in assistant.sources()}
    return assistant, {council: {by_source[str(p.resolve())] for p in paths} for council, paths in written.items()}


@pytest.fixture
def workspace(councils, tmp_path):
    return Workspace(councils[0], WorkspaceDB(tmp_path / "workspace.sqlite3"))


def draft(workspace, user, plan_id, theme):
    events = list(workspace.chat(user, plan_id, theme, "Draft this section"))
    assert events[-1].kind == "done", events[-1].text
    return events[-1].record.section


def test_a_plan_limited_to_one_councils_documents_never_cites_the_other(councils, workspace):
    assistant, ids = councils
    limited = workspace.create_plan("ann", "Harbourside Productivity Plan")
    said = workspace.set_document_set("ann", limited.id, ids["Harbourside"])
    assert said.startswith("This plan drafts from 2 of the 4 documents; a document added later is not among them")
    everything = workspace.create_plan("ann", "Both councils")  # the default: every document
    assert workspace.document_set("ann", everything.id) is None

    cited = {"limited": set(), "all": set()}
    for theme in THEMES:
        own = draft(workspace, "ann", limited.id, theme)
        assert own.sentences and {e.doc_id for e in own.evidence} <= ids["Harbourside"]
        assert not any("Northfield" in s.text for s in own.sentences)
        cited["limited"] |= cited_doc_ids(own)
        cited["all"] |= cited_doc_ids(draft(workspace, "ann", everything.id, theme))
        # A revision looks for fresh passages: in the plan's documents too.
        revised = list(workspace.chat("ann", limited.id, theme, "add the shared services and the chatbot"))[-1].record.section
        assert {e.doc_id for e in revised.evidence} <= ids["Harbourside"]
    assert cited["limited"] == ids["Harbourside"]
    assert cited["all"] & ids["Northfield"]  # the control: without the set, the other council's documents are cited


def test_document_sets_are_checked_and_say_what_to_redraft(councils, workspace):
    assistant, ids = councils
    limited = workspace.create_plan("ann", "Harbourside only")
    workspace.set_document_set("ann", limited.id, ids["Harbourside"])
    # Every document by name is not "all": a document added later stays out until ticked.
    named = workspace.create_plan("ann", "Every document by name")
    assert workspace.set_document_set("ann", named.id, ids["Harbourside"] | ids["Northfield"]).startswith(
        "This plan drafts from 4 of the 4 documents")
    everything = workspace.create_plan("ann", "Everything")
    workspace.set_document_set("ann", everything.id, ids["Harbourside"])
    assert workspace.set_document_set("ann", everything.id, None) == "This plan drafts from all 4 documents, and from any added later."
    assert workspace.document_set("ann", everything.id) is None
    with pytest.raises(WorkspaceError, match="at least one"):
        workspace.set_document_set("ann", limited.id, [])
    with pytest.raises(WorkspaceError, match="no longer in the corpus"):
        workspace.set_document_set("ann", limited.id, ["not-a-document"])
    with pytest.raises(WorkspaceError):  # bob cannot see or set ann's plan
        workspace.set_document_set("bob", limited.id, None)

    # Drafted from both councils, then limited: the officer is told which sections to redraft.
    mixed = workspace.create_plan("ann", "Mixed")
    draft(workspace, "ann", mixed.id, "transformation")
    said = workspace.set_document_set("ann", mixed.id, ids["Harbourside"])
    assert "Transformed service design and delivery" in said and "Redraft" in said


def test_all_documents_takes_in_one_added_later_and_a_named_set_does_not(tmp_path):
    root = tmp_path / "store"  # a store of its own: this test adds a document
    written = write_councils(root / "docs")
    assistant = Assistant(make_settings(root / "data"))
    assistant.ingest([root / "docs"])
    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    everything = workspace.create_plan("ann", "All documents")
    named = workspace.create_plan("ann", "The four documents there were")
    workspace.set_document_set("ann", named.id, [d.doc_id for d in assistant.sources()])

    later = root / "docs" / "westmoor-transformation-report.txt"
    later.write_text("Westmoor transformation report\n\nWestmoor Council restructured its senior management team in 2024, "
                     "removing 19 posts, and moved to a centralised operating model for all customer contact.\n\n"
                     "Westmoor Council measures productivity through 31 key performance indicators on a public dashboard.\n",
                     encoding="utf-8")
    assistant.ingest([later])
    westmoor = {d.doc_id for d in assistant.sources() if d.source.endswith(later.name)}
    assert {e.doc_id for e in draft(workspace, "ann", everything.id, "transformation").evidence} & westmoor
    assert not {e.doc_id for e in draft(workspace, "ann", named.id, "transformation").evidence} & westmoor
    assert len(written) == 2


def test_removal_names_the_askers_citing_plans_and_counts_other_users(councils, tmp_path):
    # A store of its own: this test removes a document.
    root = tmp_path / "store"
    write_councils(root / "docs")
    assistant = Assistant(make_settings(root / "data"))
    assistant.ingest([root / "docs"])
    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    corpus = CorpusManager(assistant, workspace.db)
    ann = workspace.create_plan("ann", "Ann's plan")
    bob = workspace.create_plan("bob", "Bob's confidential restructure plan")
    unrelated = workspace.create_plan("ann", "Nothing drafted yet")
    cited = cited_doc_ids(draft(workspace, "ann", ann.id, "transformation"))
    doc_id = sorted(cited & cited_doc_ids(draft(workspace, "bob", bob.id, "transformation")))[0]
    doc = corpus.document(doc_id)

    check = corpus.removal_check("ann", doc_id)
    assert check.citations.own == ["Ann's plan"] and check.citations.others == {"bob": 1}
    question = check.question()
    assert f"\u201c{doc.title}\u201d" in question and "Ann's plan" in question and "1 plan of bob" in question
    assert "confidential" not in question and unrelated.title not in question  # bob's titles are bob's
    assert "Bob's confidential" in corpus.removal_check("bob", doc_id).question()

    before = [s.to_dict() for s in [workspace.section("ann", ann.id, "transformation").section]]
    removed = corpus.delete(doc_id, user="carol")
    assert removed.doc_id == doc_id and doc_id not in {d.doc_id for d in corpus.documents()}
    assert not [c for c in assistant.store.iter_chunks() if c.doc_id == doc_id]
    # The plans keep the passages they cite.
    assert [workspace.section("ann", ann.id, "transformation").section.to_dict()] == before
    [event] = [e for e in corpus.history() if e.action == "removed"]
    assert (event.user, event.doc_id, event.title) == ("carol", doc_id, doc.title)
    assert event.detail == f"{passages(doc.chunks)}; cited by 2 plan(s)" and "Bob" not in event.detail
    assert Path(doc.source).exists()  # a file ingested from a folder is the council's own: only the store forgets it


def test_a_new_title_shows_wherever_the_passage_does(councils, workspace, tmp_path):
    assistant, ids = councils
    corpus = CorpusManager(assistant, workspace.db)
    plan = workspace.create_plan("ann", "Titles plan")
    section = draft(workspace, "ann", plan.id, "transformation")
    doc_id = sorted(cited_doc_ids(section))[0]
    old = corpus.document(doc_id).title
    title = "Cabinet report, March 2024"
    try:
        corpus.retitle("bob", doc_id, title)  # any officer may name a shared document
        shown = workspace.section("ann", plan.id, "transformation").section
        assert {e.title for e in shown.evidence if e.doc_id == doc_id} == {title}
        assert any(title in e.location() for e in shown.evidence)
        locations = [p.location for row in workspace.review("ann", plan.id) for p in row.passages]
        assert any(loc.startswith(title) for loc in locations) and not any(loc.startswith(old) for loc in locations)
        markdown = workspace.export_markdown("ann", plan.id, tmp_path).read_text(encoding="utf-8")
        name = Path(corpus.document(doc_id).source).name
        lines = [line for line in markdown[markdown.index("References"):].splitlines() if f"({name})" in line]
        assert lines and all(line.split(". ", 1)[1].startswith(f"{title} ({name})") for line in lines), lines
        # The store keeps the file's own title: what its passages were embedded with.
        assert {d.title for d in assistant.sources() if d.doc_id == doc_id} == {old}
    finally:
        corpus.retitle("bob", doc_id, old)  # the store is shared by this module's tests
