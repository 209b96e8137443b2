"""Uploads as the workspace checks them (the server side, whatever the browser sent),
ingested into a real store; removal takes a document's passages out."""

from __future__ import annotations

import pytest

from assistant.workspace.corpus import CorpusManager, safe_filename


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
