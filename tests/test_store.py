"""The Chroma store's dense search: the nearest passages, the same on every run."""

from __future__ import annotations

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.records import Chunk
from assistant.store import HNSW_EF_SEARCH, ChunkStore


def _chunks(n: int, doc_id: str = "d" * 16) -> list[Chunk]:
    return [Chunk(f"{doc_id}:{'0' * 12}:{i:05d}", doc_id, f"passage {i}", "/docs/a.txt", "A", None, "", i, f"h{i}", "f")
            for i in range(n)]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_dense_search_returns_the_exact_nearest_passages(settings, assistant):
    """A council's store holds a few thousand passages; at Chroma's default search depth its approximate index
    missed some of the forty nearest (54 of 800 here), and a missed passage is evidence the draft never sees."""
    store = assistant.store
    rng = np.random.default_rng(7)
    vectors = _unit(rng.normal(size=(1500, store.embedder.dimension))).astype(np.float32)
    chunks = _chunks(len(vectors))
    store.add(chunks, vectors, {"vectors": 2})
    missed = 0
    for query in _unit(rng.normal(size=(20, store.embedder.dimension))):
        exact = {chunks[i].id for i in np.argsort(-(vectors @ query))[:40]}
        found = {chunk_id for chunk_id, _, _ in store.query(query, 40)}
        missed += len(exact - found)
    assert missed == 0


def test_a_store_made_before_is_searched_as_deeply(settings):
    """A collection created with Chroma's default search depth (by an earlier version) is raised when opened."""
    client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False))
    client.create_collection(settings.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    assert client.get_collection(settings.collection, embedding_function=None)._model.configuration_json["hnsw"]["ef_search"] < HNSW_EF_SEARCH
    from assistant.embed import get_embedder

    store = ChunkStore(settings, get_embedder(settings.embedder))
    assert store.collection.configuration["hnsw"]["ef_search"] == HNSW_EF_SEARCH
