"""Synthetic chunk stores of a given size, for retrieval at scale without embedding 100k texts.

The texts are generated council prose (so BM25 sees realistic term statistics);
the vectors are synthetic: points scattered around a few hundred topic centres
on the unit sphere, which is how real embeddings cluster (uniform random vectors
are the worst case for HNSW and unlike any corpus). The chunks are written with
`ChunkStore.add`, the product's own write path, and the store is kept under
bench/results/stores/ so later runs reuse it (building 100k takes minutes here).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from bench.common import RESULTS
from bench.synth import passage_pool

VERSION = 1  # bump when the generator changes, so stale stores are rebuilt
CHUNKS_PER_DOCUMENT = 40
CENTRES = 300
WRITE_BATCH = 5000


def store_dir(size: int) -> Path:
    return RESULTS / "stores" / f"synthetic-{size}-v{VERSION}"


def vectors(size: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CENTRES, 384))
    out = centres[rng.integers(0, CENTRES, size)] + 0.6 * rng.normal(size=(size, 384))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def build(size: int) -> Path:
    """The store for `size` chunks: its data dir (with chroma/ inside), built once."""
    from assistant.config import Settings
    from assistant.embed import get_embedder
    from assistant.records import Chunk
    from assistant.store import ChunkStore

    folder = store_dir(size)
    if (folder / "complete.json").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    # A pool of distinct passages, each reused with a serial so every chunk's text is unique.
    pool = passage_pool(min(size, 20_000))
    vecs = vectors(size)
    store = ChunkStore(Settings(data_dir=folder), get_embedder("minilm"))  # the model itself is never loaded
    for start in range(0, size, WRITE_BATCH):
        chunks = []
        for i in range(start, min(size, start + WRITE_BATCH)):
            doc = i // CHUNKS_PER_DOCUMENT
            chunks.append(Chunk(
                id=f"syn{doc:06d}:000000000000:{i % CHUNKS_PER_DOCUMENT:05d}", doc_id=f"syn{doc:06d}",
                text=f"{pool[i % len(pool)]} (Ref {i}.)", source=f"/synthetic/report-{doc:06d}.pdf",
                title=f"Synthetic report {doc}", page=1 + (i % CHUNKS_PER_DOCUMENT) // 4, heading="Section",
                index=i % CHUNKS_PER_DOCUMENT, content_hash=f"{i:016x}", file_hash="0" * 64,
            ))
        store.add(chunks, vecs[start : start + len(chunks)],
                  {"kind": "pdf", "ingested_at": "2024-06-01T00:00:00+00:00", "chunk_count": CHUNKS_PER_DOCUMENT})
    assert store.count() == size
    (folder / "complete.json").write_text(json.dumps({"size": size, "version": VERSION}), encoding="utf-8")
    return folder
