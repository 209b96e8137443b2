"""The persisted BM25 index (a speed change of issue 7) must never answer from a stale store."""

from __future__ import annotations

import pytest

from assistant.retrieve import HybridRetriever, KeywordIndex
from assistant.store import ChunkStore


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    return path


def _keyword_texts(retriever, query):
    return [h.chunk.text for h in retriever.search(query, k=3, mode="keyword")]


def _saved_revisions(retriever):
    return sorted(p.name for p in retriever.index_root.iterdir()) if retriever.index_root.exists() else []


def test_index_is_saved_and_a_new_retriever_loads_it_instead_of_rebuilding(assistant, tmp_path, monkeypatch):
    assistant.ingest([_write(tmp_path, "a.md", "The Quillford bridge repair cost £77,000 in 2024.")])
    assert any("Quillford" in t for t in _keyword_texts(assistant.retriever, "Quillford"))
    assert len(_saved_revisions(assistant.retriever)) == 1

    def no_rebuild(cls, pairs):
        raise AssertionError("rebuilt although an index for this revision was saved")

    monkeypatch.setattr(KeywordIndex, "build", classmethod(no_rebuild))
    fresh = HybridRetriever(assistant.store, assistant.embedder)  # what the next CLI command creates
    assert any("Quillford" in t for t in _keyword_texts(fresh, "Quillford"))


def test_index_is_rebuilt_when_the_store_changes_by_ingest_or_delete(assistant, tmp_path):
    a = _write(tmp_path, "a.md", "The Quillford bridge repair cost £77,000 in 2024.")
    assistant.ingest([a])
    retriever = assistant.retriever
    before = retriever.store.revision()
    assert _keyword_texts(retriever, "Wexcombe") == []

    assistant.ingest([_write(tmp_path, "b.md", "The Wexcombe depot roof was replaced in 2023.")])
    assert retriever.store.revision() != before
    assert any("Wexcombe" in t for t in _keyword_texts(retriever, "Wexcombe"))

    doc_id = next(d.doc_id for d in assistant.sources() if d.source.endswith("a.md"))
    assistant.store.delete_document(doc_id)
    assert _keyword_texts(retriever, "Quillford") == []
    assert len(_saved_revisions(retriever)) == 1, "indexes of earlier revisions are removed"


def test_a_write_by_another_client_is_seen_once_the_revision_is_read_again(assistant, settings, tmp_path):
    assistant.ingest([_write(tmp_path, "a.md", "The Quillford bridge repair cost £77,000 in 2024.")])
    retriever = assistant.retriever
    retriever.search("Quillford", mode="keyword")
    # Another client of the same store (another process, or another machine on a Chroma server)
    # writes; this process's generation counter does not move.
    other = ChunkStore(settings, assistant.embedder)
    chunk = next(assistant.store.iter_chunks())
    chunk.id, chunk.text = "other:000000000000:00000", "The Ashcombe library reopened in May 2024."
    other.add([chunk], assistant.embedder.embed_documents([chunk.text]), {"kind": "md", "ingested_at": "x", "chunk_count": 1})
    retriever.revision_ttl = 0  # read the revision on this call, not a second later
    assert any("Ashcombe" in t for t in _keyword_texts(retriever, "Ashcombe"))


def test_chunks_deleted_behind_a_stale_index_are_skipped_not_returned(assistant, settings, tmp_path):
    assistant.ingest([_write(tmp_path, "a.md", "The Quillford bridge repair cost £77,000 in 2024."),
                      _write(tmp_path, "b.md", "Quillford market hall was let to a new tenant in 2023.")])
    retriever = assistant.retriever
    assert len(_keyword_texts(retriever, "Quillford")) == 2
    retriever.revision_ttl = 3600  # the index stays as built: it still lists a.md's chunk
    other = ChunkStore(settings, assistant.embedder)
    other.delete_document(next(d.doc_id for d in assistant.sources() if d.source.endswith("a.md")))
    texts = _keyword_texts(retriever, "Quillford")
    assert texts and all("market hall" in t for t in texts)


def test_empty_store_searches_without_error(assistant):
    assert assistant.retriever.search("anything at all", k=5) == []


@pytest.mark.parametrize("query", ["", "the and of"])
def test_query_without_terms_returns_no_keyword_hits(corpus_assistant, query):
    assert corpus_assistant.retriever.keyword_index().search(query, 10) == []


def test_a_killed_writer_s_temp_folder_is_cleared_but_a_live_one_is_kept(assistant, tmp_path):
    import os
    import time

    assistant.ingest([_write(tmp_path, "a.md", "The Quillford bridge repair cost £77,000 in 2024.")])
    retriever = assistant.retriever
    retriever.keyword_index()
    root = retriever.index_root
    stale, live = root / "old.tmp-123", root / "new.tmp-456"
    for folder in (stale, live):
        folder.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assistant.ingest([_write(tmp_path, "b.md", "The Wexcombe depot roof was replaced in 2023.")])
    retriever.keyword_index()  # a new revision is saved, and the folder tidied
    assert not stale.exists() and live.exists()
