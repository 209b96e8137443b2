"""Hybrid retrieval: Chroma dense search + BM25 keyword search, fused, then diversified.

Dense search finds passages that mean the same as the question; BM25 finds the
ones that share its exact terms (a programme name, a figure, "2023/24"), which
embeddings blur. Reciprocal rank fusion combines the two rankings without
having to calibrate their scores, and a per-document cap stops one long
document from filling every slot.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass

import numpy as np

from assistant.embed import Embedder
from assistant.records import Chunk
from assistant.store import ChunkStore

log = logging.getLogger(__name__)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some
    such than that the their theirs them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours""".split()
)
# Words with their figures kept whole: "£1.9m" -> "1.9m", "2023/24", "13.5%", "1,150".
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,/][0-9]+)*%?[a-z]?")


def tokenize(text: str) -> list[str]:
    """Lower-cased terms without stopwords, with plurals folded ('councils' -> 'council')."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss") and tok.isalpha():
            tok = tok[:-1]
        out.append(tok)
    return out


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score; higher is better
    dense_rank: int | None = None
    sparse_rank: int | None = None


class _KeywordIndex:
    """BM25 over every chunk in the store, rebuilt when the store changes."""

    def __init__(self, chunks: list[Chunk]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self.ids = [c.id for c in chunks]
        self.chunks = chunks
        self.index = bm25s.BM25()
        # An empty document still needs one token for bm25s to keep positions aligned.
        self.index.index([tokenize(c.text) or ["\u2205"] for c in chunks], show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        tokens = tokenize(query)
        if not tokens or not self.chunks:
            return []
        scores = self.index.get_scores(tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunks[i], float(scores[i])) for i in top if scores[i] > 0]


class HybridRetriever:
    def __init__(self, store: ChunkStore, embedder: Embedder, candidates: int = 40, rrf_k: int = 60):
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._keyword: _KeywordIndex | None = None
        self._keyword_key: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def keyword_index(self) -> _KeywordIndex:
        # Keyed on this process's writes and the store's size, so another writer's changes are seen too.
        key = (self.store.generation, self.store.count())
        with self._lock:
            if self._keyword is None or key != self._keyword_key:
                self._keyword = _KeywordIndex(list(self.store.iter_chunks()))
                self._keyword_key = key
            return self._keyword

    def search(self, query: str, k: int = 8, mode: str = "hybrid", per_document: int | None = None) -> list[Hit]:
        """Top-k passages for a query. mode: 'hybrid', 'dense' or 'keyword'."""
        dense = self.store.query(self.embedder.embed_query(query), self.candidates) if mode in ("hybrid", "dense") else []
        sparse = self.keyword_index().search(query, self.candidates) if mode in ("hybrid", "keyword") else []
        fused: dict[str, Hit] = {}
        for rank, (chunk, _) in enumerate(dense):
            hit = fused.setdefault(chunk.id, Hit(chunk, 0.0))
            hit.dense_rank = rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        for rank, (chunk, _) in enumerate(sparse):
            hit = fused.setdefault(chunk.id, Hit(chunk, 0.0))
            hit.sparse_rank = rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        ranked = sorted(fused.values(), key=lambda h: h.score, reverse=True)
        return diversify(ranked, k, per_document)


def diversify(ranked: list[Hit], k: int, per_document: int | None = None) -> list[Hit]:
    """Keep rank order but take at most `per_document` hits from one document first;
    fill any slots left with the best of the rest."""
    cap = per_document or max(2, math.ceil(k / 3))
    chosen: list[Hit] = []
    overflow: list[Hit] = []
    per_doc: dict[str, int] = {}
    for hit in ranked:
        if len(chosen) == k:
            break
        if per_doc.get(hit.chunk.doc_id, 0) < cap:
            chosen.append(hit)
            per_doc[hit.chunk.doc_id] = per_doc.get(hit.chunk.doc_id, 0) + 1
        else:
            overflow.append(hit)
    chosen.extend(overflow[: k - len(chosen)])
    return chosen
