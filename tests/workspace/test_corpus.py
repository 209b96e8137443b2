"""Uploads as the workspace checks them (the server side, whatever the browser sent),
ingested into a real store; removal takes a document's passages out. A file under a stored
name is asked about (replace, keep both), never swapped in; titles and the corpus log."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.workspace.corpus import CorpusManager, safe_filename
from assistant.workspace.documents import passages
from assistant.workspace.errors import WorkspaceError


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\evil.md", "evil.md"),
    ("Council Plan 2024–28 (final).pdf", "Council Plan 2024–28 (final).pdf"),
    ("rapport_électoral.docx", "rapport_électoral.docx"),
    ("a<script>b.html", "a_script_b.html"),
    ("...", "upload"),
    ("", "upload"),
])
def test_safe_filename_cannot_leave_the_upload_folder(name, expected):
    assert safe_filename(name) == expected


def test_upload_checks_type_size_and_emptiness_then_ingests_the_rest(assistant, tmp_path):
    corpus = CorpusManager(assistant)
    files = {
        "note.md": "# Scrutiny\n\nThe Overview and Scrutiny Committee reviewed the waste contract in May 2024.\n",
        "payload.exe": "MZ",
        "empty.txt": "",
        "big.txt": "x" * (assistant.settings.max_file_mb * 1024 * 1024 + 1),
        "../../escape.txt": "The Council agreed its budget on 27 February 2024.\n",
    }
    uploads = []
    for i, (name, text) in enumerate(files.items()):
        path = tmp_path / f"tmp{i}"
        path.write_text(text, encoding="utf-8")
        uploads.append((name, path))
    result = corpus.upload(uploads)
    assert sorted(p.name for p in (assistant.settings.data_dir / "uploads").iterdir()) == ["escape.txt", "note.md"]
    assert sorted(d.title for d in corpus.documents()) == sorted({d.title for d in corpus.documents()})
    assert len(corpus.documents()) == 2
    reasons = dict(result.rejected)
    assert "not accepted" in reasons["payload.exe"] and "empty" in reasons["empty.txt"] and "MB limit" in reasons["big.txt"]
    assert "payload.exe" in result.summary() and "ingested 2 file(s)" in result.summary()

    doc = next(d for d in corpus.documents() if d.source.endswith("note.md"))
    before = assistant.store.count()
    corpus.delete(doc.doc_id)
    assert assistant.store.count() == before - doc.chunks
    assert not (assistant.settings.data_dir / "uploads" / "note.md").exists()
    with pytest.raises(KeyError):
        corpus.delete(doc.doc_id)


# -- the corpus is safe to share ------------------------------------------------------------------

REPORT_A = ("Scrutiny report\n\nThe Overview and Scrutiny Committee reviewed the waste contract in May 2024.\n\n"
            "Members asked for a quarterly report on missed bin collections.\n")
REPORT_B = ("Scrutiny report\n\n" + "\n\n".join(
    f"Item {i}: the Overview and Scrutiny Committee examined the {topic} budget line by line in June 2024 and asked for "
    f"a written answer on its {topic} forecast." for i, topic in enumerate(
        ["housing", "leisure", "parking", "libraries", "planning", "waste", "highways", "social care"], 1)) + "\n")


def staged(tmp_path, name: str, text: str):
    """A file as the browser's upload leaves it: a temporary path, with the name the officer chose beside it."""
    folder = tmp_path / f"upload-{len(list(tmp_path.glob('upload-*')))}"
    folder.mkdir()
    path = folder / "blob"
    path.write_text(text, encoding="utf-8")
    return name, path


def passages_of(assistant, doc_id: str) -> list[str]:
    return [c.text for c in assistant.store.iter_chunks() if c.doc_id == doc_id]


def test_a_different_file_under_a_stored_name_is_held_until_asked_then_kept_beside_it(assistant, tmp_path):
    corpus = CorpusManager(assistant)
    first = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_A)], user="ann")
    [original] = corpus.documents()
    assert first.report.added and not first.clashes and original.chunks >= 1
    before = assistant.store.count()

    clash = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_B)], user="bob")
    # Nothing replaced, nothing added: the officer is asked first.
    assert [c.name for c in clash.clashes] == ["scrutiny.txt"] and not (clash.report.added or clash.report.updated)
    assert assistant.store.count() == before and corpus.documents() == [original]
    assert (assistant.settings.data_dir / "uploads" / "scrutiny.txt").read_text(encoding="utf-8") == REPORT_A
    question = clash.clashes[0].question()
    assert "already in the corpus" in question and f"{passages(original.chunks)}" in question and "added by ann" in question
    assert "waiting for your answer" in clash.summary()
    # Another user cannot answer bob's question (the token is his alone).
    with pytest.raises(WorkspaceError):
        corpus.resolve("ann", clash.clashes[0].token, "replace")

    kept = corpus.resolve("bob", clash.clashes[0].token, "keep_both")
    docs = {Path(d.source).name: d for d in corpus.documents()}
    assert set(docs) == {"scrutiny.txt", "scrutiny (2).txt"} and docs["scrutiny.txt"] == original
    new = docs["scrutiny (2).txt"]
    # Both documents' passages, none lost and none twice.
    assert assistant.store.count() == before + new.chunks and new.chunks > original.chunks
    assert sorted(passages_of(assistant, original.doc_id)) == sorted(set(passages_of(assistant, original.doc_id)))
    assert any("missed bin collections" in p for p in passages_of(assistant, original.doc_id))
    assert not any("missed bin collections" in p for p in passages_of(assistant, new.doc_id))
    # Two documents under one title would be two indistinguishable references.
    assert original.title == "Scrutiny report" and new.title == "Scrutiny report (2)"
    assert "stored as scrutiny (2).txt" in kept.summary()
    with pytest.raises(WorkspaceError):  # answered once: the held file is gone
        corpus.resolve("bob", clash.clashes[0].token, "replace")
    assert not any((assistant.settings.data_dir / "pending-uploads").iterdir())


def test_replace_swaps_the_passages_in_place_and_the_same_file_again_is_unchanged(assistant, tmp_path):
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.service import Workspace

    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    corpus = CorpusManager(assistant, workspace.db)
    corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_A),
                   staged(tmp_path, "budget-note.md", "# Budget\n\nThe Council agreed its budget on 27 February 2024.\n")], user="ann")
    original, other = sorted(corpus.documents(), key=lambda d: d.source.endswith(".md"))
    old = passages_of(assistant, original.doc_id)
    plan = workspace.create_plan("ann", "Scrutiny plan")
    workspace.set_document_set("ann", plan.id, [original.doc_id])  # limited to this one document
    corpus.retitle("ann", original.doc_id, "Scrutiny of the waste contract")

    clash = corpus.upload([staged(tmp_path, "Scrutiny.TXT", REPORT_B)], user="bob").clashes  # names match whatever the case
    assert len(clash) == 1
    replaced = corpus.resolve("bob", clash[0].token, "replace")
    assert replaced.report.updated and not replaced.report.added
    now, _ = sorted(corpus.documents(), key=lambda d: d.source.endswith(".md"))
    new = passages_of(assistant, now.doc_id)
    # Same document: the old passages gone, the new ones there once each, nothing else in the store.
    assert now.doc_id == original.doc_id and now.chunks == len(new) == len(set(new)) == assistant.store.count() - other.chunks
    assert not set(old) & set(new) and any("social care" in p for p in new)
    # The plan still drafts from it, under the title it was given.
    assert workspace.document_set("ann", plan.id) == [original.doc_id] and now.title == "Scrutiny of the waste contract"

    again = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_B)], user="bob")
    assert not again.clashes and again.report.unchanged and "already in the corpus, unchanged" in again.summary()
    assert assistant.store.count() == len(new) + other.chunks

    cancelled = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_A)], user="ann").clashes[0]
    assert "not added" in corpus.resolve("ann", cancelled.token, "cancel").summary()
    assert passages_of(assistant, now.doc_id) == new

    log = [(e.user, e.action, e.file_name, e.detail) for e in corpus.history()]
    assert log == [
        ("bob", "replaced", "scrutiny.txt", f"{passages(original.chunks)} \u2192 {now.chunks}"),
        ("ann", "retitled", "scrutiny.txt", "was \u201cScrutiny report\u201d"),
        ("ann", "added", "budget-note.md", f"{passages(other.chunks)}"),  # newest first
        ("ann", "added", "scrutiny.txt", f"{passages(original.chunks)}"),
    ]


def test_retitle_is_logged_and_refuses_an_empty_title(assistant, tmp_path):
    corpus = CorpusManager(assistant)
    corpus.upload([staged(tmp_path, "note.md", "# Scrutiny\n\nThe committee reviewed the waste contract in May 2024.\n")])
    [doc] = corpus.documents()
    title = "<b>Waste</b> ![x](http://example.invalid/x.png) review"  # kept as typed; the views escape it
    assert corpus.retitle("ann", doc.doc_id, f"  {title}\n").title == title
    assert corpus.documents()[0].title == title and assistant.sources()[0].title == "Scrutiny"  # the store keeps the file's
    with pytest.raises(WorkspaceError):
        corpus.retitle("ann", doc.doc_id, "   ")
    with pytest.raises(KeyError):
        corpus.retitle("ann", "no-such-document", "Anything")
    [event] = [e for e in corpus.history() if e.action == "retitled"]
    assert (event.user, event.title, event.detail) == ("ann", title, "was \u201cScrutiny\u201d")


def test_replacing_a_document_ingested_from_a_folder_moves_its_title_and_plans_to_the_new_file(assistant, tmp_path):
    """`assistant ingest folder/` documents live outside uploads/; the web app never writes there, so the
    replacement is stored under uploads/ and the old document leaves the store, its title and sets moving over."""
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.service import Workspace

    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "scrutiny.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "budget.md").write_text("# Budget\n\nThe Council agreed its budget on 27 February 2024.\n", encoding="utf-8")
    assistant.ingest([folder])
    workspace = Workspace(assistant, WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3"))
    corpus = CorpusManager(assistant, workspace.db)
    old = next(d for d in corpus.documents() if d.source.endswith("scrutiny.txt"))
    plan = workspace.create_plan("ann", "Plan")
    workspace.set_document_set("ann", plan.id, [old.doc_id])
    corpus.retitle("ann", old.doc_id, "Waste scrutiny")

    same = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_A)])
    assert same.report.unchanged and not same.clashes and len(corpus.documents()) == 2
    [clash] = corpus.upload([staged(tmp_path, "scrutiny.txt", REPORT_B)], user="bob").clashes
    corpus.resolve("bob", clash.token, "replace")
    new = next(d for d in corpus.documents() if d.source.endswith("scrutiny.txt"))
    assert Path(new.source).parent.name == "uploads" and new.doc_id != old.doc_id and len(corpus.documents()) == 2
    assert not passages_of(assistant, old.doc_id) and len(passages_of(assistant, new.doc_id)) == new.chunks
    assert new.title == "Waste scrutiny" and workspace.document_set("ann", plan.id) == [new.doc_id]
    assert (folder / "scrutiny.txt").read_text(encoding="utf-8") == REPORT_A  # the council's folder is left alone
    assert corpus.history()[0].action == "replaced" and "the old file was scrutiny.txt" in corpus.history()[0].detail
