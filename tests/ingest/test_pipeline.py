"""Incremental ingest into a real Chroma store with the real embedder."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import CORPUS


def _ids_by_source(assistant):
    out: dict[str, set[str]] = {}
    for chunk in assistant.store.iter_chunks():
        out.setdefault(chunk.source, set()).add(chunk.id)
    return out


@pytest.fixture
def folder(tmp_path):
    """A small corpus folder the test may edit: three of the sample documents."""
    target = tmp_path / "docs"
    target.mkdir()
    for name in ("cabinet-minutes-2024-06-18.txt", "digital-and-data-strategy-2023-2026.md", "workforce-report-2023-24.html"):
        shutil.copy(CORPUS / name, target / name)
    return target


def test_second_ingest_of_unchanged_files_adds_nothing(assistant, folder):
    first = assistant.ingest([folder])
    assert len(first.added) == 3 and first.chunks_written > 0
    before = _ids_by_source(assistant)
    second = assistant.ingest([folder])
    assert second.added == [] and second.updated == [] and second.chunks_written == 0
    assert len(second.unchanged) == 3
    assert _ids_by_source(assistant) == before
    assert assistant.store.count() == first.chunks_written


def test_editing_one_file_replaces_only_its_chunks(assistant, folder):
    assistant.ingest([folder])
    before = _ids_by_source(assistant)
    md = folder / "digital-and-data-strategy-2023-2026.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n## Cyber security\n\nThe Council passed its Cyber Assessment Framework review in May 2024.\n", encoding="utf-8")
    report = assistant.ingest([folder])
    assert report.updated == [str(md.resolve())] and len(report.unchanged) == 2
    after = _ids_by_source(assistant)
    for source, ids in before.items():
        if source == str(md.resolve()):
            assert ids.isdisjoint(after[source]), "old version's chunks are gone"
        else:
            assert after[source] == ids, "other documents untouched"
    texts = [c.text for c in assistant.store.iter_chunks() if c.source == str(md.resolve())]
    assert any("Cyber Assessment Framework" in t for t in texts)
    assert len({c.file_hash for c in assistant.store.iter_chunks() if c.source == str(md.resolve())}) == 1


def test_prune_removes_chunks_of_deleted_files(assistant, folder):
    assistant.ingest([folder])
    gone = folder / "workforce-report-2023-24.html"
    gone.unlink()
    without_prune = assistant.ingest([folder])
    assert without_prune.pruned == []
    assert str(gone.resolve()) in _ids_by_source(assistant), "nothing is deleted unless asked"
    report = assistant.ingest([folder], prune=True)
    assert report.pruned == [str(gone.resolve())]
    assert str(gone.resolve()) not in _ids_by_source(assistant)
    assert len(assistant.sources()) == 2


def test_a_bad_file_is_reported_and_the_rest_ingest(assistant, folder):
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "empty.txt").write_bytes(b"")
    report = assistant.ingest([folder])
    failed = dict(report.failed)
    assert set(failed) == {str((folder / "corrupt.pdf").resolve()), str((folder / "empty.txt").resolve())}
    assert "empty" in failed[str((folder / "empty.txt").resolve())]
    assert len(report.added) == 3
    assert len(assistant.sources()) == 3


def test_a_failure_on_reingest_keeps_what_was_stored(assistant, folder):
    assistant.ingest([folder])
    before = _ids_by_source(assistant)
    txt = folder / "cabinet-minutes-2024-06-18.txt"
    txt.write_bytes(b"\x00\x01\x02 binary now")
    report = assistant.ingest([folder])
    assert [f for f, _ in report.failed] == [str(txt.resolve())]
    assert _ids_by_source(assistant) == before, "the last good version stays searchable"


def test_same_content_under_another_name_is_not_stored_twice(assistant, folder):
    assistant.ingest([folder])
    count = assistant.store.count()
    shutil.copy(folder / "workforce-report-2023-24.html", folder / "copy of workforce report.html")
    report = assistant.ingest([folder])
    assert [d for d, _ in report.duplicates] == [str((folder / "copy of workforce report.html").resolve())]
    assert assistant.store.count() == count


def test_interrupted_swap_is_completed_on_next_run(assistant, folder):
    """A crash after a changed file's new chunks were written but before the old ones were
    deleted leaves two versions; the next run must finish the job, not skip the file."""
    from assistant.ingest.chunker import chunk_document
    from assistant.ingest.loaders import load
    from assistant.ingest.pipeline import file_sha256

    assistant.ingest([folder])
    md = folder / "digital-and-data-strategy-2023-2026.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nA new closing paragraph about the data strategy review.\n", encoding="utf-8")
    new_hash = file_sha256(md)
    chunks = chunk_document(load(md.resolve()), new_hash)
    half = chunks[: len(chunks) // 2]  # the crash came mid-write
    assistant.store.add(half, assistant.embedder.embed_documents([c.text for c in half]), {"kind": "md", "ingested_at": "x", "chunk_count": len(chunks)})
    report = assistant.ingest([folder])
    assert report.updated == [str(md.resolve())]
    stored = [c for c in assistant.store.iter_chunks() if c.source == str(md.resolve())]
    assert {c.file_hash for c in stored} == {new_hash}
    assert len(stored) == len(chunks)


def test_whole_sample_corpus_ingests_cleanly(corpus_assistant):
    docs = corpus_assistant.sources()
    assert len(docs) >= 6
    assert {d.kind for d in docs} >= {"pdf", "docx", "html", "md", "txt"}
    pdf = next(d for d in docs if d.source.endswith("council-plan-2024-2028.pdf"))
    assert pdf.pages == 2 and pdf.chunks > 0 and pdf.ingested_at
    assert sum(d.chunks for d in docs) == corpus_assistant.store.count()


def test_a_store_from_an_earlier_version_is_re_embedded_once_without_duplicates(assistant, folder):
    """Stores written before passages were embedded with their title and heading hold
    vectors of the text alone and no 'vectors' mark: a re-ingest re-embeds those documents
    in place (same ids, a stray chunk of the old chunking removed), then leaves them alone."""
    import dataclasses

    import numpy as np

    from assistant.embed import base_embedder
    from assistant.records import Chunk

    assistant.ingest([folder])
    collection = assistant.store.collection
    got = collection.get(include=["documents", "metadatas"])
    old_meta = [{k: v for k, v in m.items() if k != "vectors"} for m in got["metadatas"]]
    model = base_embedder(assistant.embedder)
    collection.delete(ids=got["ids"])  # written again as the earlier version wrote them (update would merge metadata)
    collection.add(ids=got["ids"], documents=got["documents"], embeddings=model.encode(list(got["documents"])), metadatas=old_meta)
    stray = dataclasses.replace(Chunk.from_store(got["ids"][0], got["documents"][0], old_meta[0]), index=999)
    stray.id = stray.id.rsplit(":", 1)[0] + ":00999"  # what an older chunking cut, under the same file hash
    collection.add(ids=[stray.id], documents=[stray.text], embeddings=model.encode([stray.text]),
                   metadatas=[{**stray.metadata(), **{k: v for k, v in old_meta[0].items() if k not in stray.metadata()}}])

    report = assistant.ingest([folder])
    assert len(report.updated) == 3 and report.unchanged == [] and report.failed == []
    after = collection.get(include=["documents", "metadatas", "embeddings"])
    assert sorted(after["ids"]) == sorted(got["ids"]), "the same chunks, re-embedded in place; the stray one gone"
    chunks = [Chunk.from_store(*row) for row in zip(after["ids"], after["documents"], after["metadatas"])]
    fresh = model.encode([c.vector_text() for c in chunks])
    assert np.sum(np.asarray(after["embeddings"]) * fresh, axis=1).min() > 0.999
    again = assistant.ingest([folder])
    assert len(again.unchanged) == 3 and again.chunks_written == 0
