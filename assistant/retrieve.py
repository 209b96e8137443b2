"""Hybrid retrieval: Chroma dense search + BM25 keyword search, fused, then diversified.

Dense search finds passages that mean the same as the question; BM25 finds the
ones that share its exact terms (a programme name, a figure, "2023/24"), which
embeddings blur. Reciprocal rank fusion combines the two rankings without
having to calibrate their scores, and a per-document cap stops one long
document from filling every slot.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterable

import numpy as np

from assistant.embed import Embedder
from assistant.records import Chunk, doc_id_of
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


# How long a checked store revision is trusted before it is read again (writes by this
# process are seen at once regardless; see HybridRetriever.keyword_index).
REVISION_TTL = 1.0


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score; higher is better
    dense_rank: int | None = None
    sparse_rank: int | None = None


class KeywordIndex:
    """BM25 over every chunk's text, keyed by chunk id.

    It holds ids and the BM25 matrix only; a result's chunk is fetched from the store
    by id, so a 100k-chunk store does not sit in memory twice. It is saved beside the store under the store's revision,
    so a new process (every CLI command) loads it instead of re-reading and
    re-tokenising the whole collection.
    """

    _EMPTY = "\u2205"  # an empty document still needs one token, so bm25s keeps positions aligned

    def __init__(self, ids: list[str], bm25):
        self.ids = ids
        self.bm25 = bm25
        self._masks: dict[frozenset[str], np.ndarray] = {}  # per document set: which rows belong to it

    def _mask(self, doc_ids: Collection[str]) -> np.ndarray:
        """Rows of the index whose chunk is in one of `doc_ids` (kept for the few sets in use)."""
        key = frozenset(doc_ids)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.fromiter((doc_id_of(i) in key for i in self.ids), dtype=bool, count=len(self.ids))
            if len(self._masks) >= 16:  # a plan's set changes rarely; drop the oldest
                self._masks.pop(next(iter(self._masks)))
            self._masks[key] = mask
        return mask

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str]]) -> "KeywordIndex":
        """From (chunk id, text) rows."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        ids: list[str] = []
        corpus: list[list[str]] = []
        for chunk_id, text in rows:
            ids.append(chunk_id)
            corpus.append(tokenize(text or "") or [cls._EMPTY])
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        return cls(ids, bm25)

    def search(self, query: str, k: int, doc_ids: Collection[str] | None = None) -> list[tuple[str, str, float]]:
        """Best (chunk id, doc id, BM25 score), best first; only chunks sharing a term with the query
        and, given `doc_ids`, only chunks of those documents."""
        tokens = tokenize(query)
        if not tokens or not self.ids or (doc_ids is not None and not doc_ids):
            return []
        scores = self.bm25.get_scores(tokens)
        if doc_ids is not None:
            # Scored over the whole index (BM25's term statistics stay the corpus's), then the rows of
            # other documents are zeroed, so none of them can take one of the k places.
            scores = np.where(self._mask(doc_ids), scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], doc_id_of(self.ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    # -- persistence: one folder per store revision; a folder is complete once ids.json exists --
    def save(self, folder: Path) -> None:
        if folder.exists():
            return  # another process saved this revision already
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.ids:
            self.bm25.save(str(tmp), show_progress=False)
        # Written last: its presence marks the folder complete.
        (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:  # another process won the race with the same content
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex | None":
        if not (folder / "ids.json").exists():
            return None
        import bm25s

        try:
            ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            # Memory-mapped: the matrix is paged in as queries touch it, not read whole.
            bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if ids else bm25s.BM25()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring an unreadable keyword index at %s (%s); rebuilding it", folder, exc)
            return None
        return cls(ids, bm25)


class HybridRetriever:
    def __init__(self, store: ChunkStore, embedder: Embedder, candidates: int = 40, rrf_k: int = 60):
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._keyword: KeywordIndex | None = None
        self._keyword_revision: str | None = None
        self._checked_generation = -1  # the store's generation when its revision was last read
        self._checked_at = 0.0
        self.revision_ttl = REVISION_TTL
        self._lock = threading.Lock()

    @property
    def index_root(self) -> Path:
        """Where this store's keyword indexes are saved: under the data dir, one folder per store."""
        where = f"{self.store.location}|{self.store.settings.collection}"
        return self.store.settings.data_dir / "keyword-index" / hashlib.sha256(where.encode()).hexdigest()[:16]

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index for the store as it is now: kept in memory, else loaded, else built and saved.

        A write by this process is seen at once (the store's generation); a write by
        another process or machine within `revision_ttl` seconds, when the store's
        revision is read again (two requests: cheap locally, a few ms from a server,
        so not on every one of a draft's twenty queries).
        """
        with self._lock:
            now = time.monotonic()
            if (self._keyword is not None and self._checked_generation == self.store.generation
                    and now - self._checked_at < self.revision_ttl):
                return self._keyword
            revision = self.store.revision()
            self._checked_generation, self._checked_at = self.store.generation, now
            if self._keyword is not None and revision == self._keyword_revision:
                return self._keyword
            folder = self.index_root / hashlib.sha256(revision.encode()).hexdigest()[:16]
            index = KeywordIndex.load(folder)
            if index is None:
                index = KeywordIndex.build(self.store.iter_texts())
                self._save(index, folder)
            self._keyword, self._keyword_revision = index, revision
            return index

    def _save(self, index: KeywordIndex, folder: Path) -> None:
        try:
            index.save(folder)
            for old in folder.parent.iterdir():  # earlier revisions are dead weight
                # Another process may be writing a .tmp- one right now; one older than an hour
                # was left by a process that was killed.
                writing = ".tmp-" in old.name and time.time() - old.stat().st_mtime < 3600
                if old != folder and not writing:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # a read-only data dir still searches, it just rebuilds per process
            log.warning("could not save the keyword index to %s: %s", folder, exc)

    def search(self, query: str, k: int = 8, mode: str = "hybrid", per_document: int | None = None,
               doc_ids: Collection[str] | None = None) -> list[Hit]:
        """Top-k passages for a query. mode: 'hybrid', 'dense' or 'keyword'. `doc_ids`: only passages of
        these documents (a plan's document set; None: every document in the store)."""
        if doc_ids is not None and not doc_ids:
            return []
        dense = (self.store.query(self.embedder.embed_query(query), self.candidates, doc_ids=doc_ids)
                 if mode in ("hybrid", "dense") else [])
        sparse = self.keyword_index().search(query, self.candidates, doc_ids=doc_ids) if mode in ("hybrid", "keyword") else []
        fused: dict[str, Hit] = {}
        for rank, (chunk_id, doc_id, _) in enumerate(dense):
            hit = fused.setdefault(chunk_id, Hit(_unfetched(chunk_id, doc_id), 0.0))
            hit.dense_rank = rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        for rank, (chunk_id, doc_id, _) in enumerate(sparse):
            # Candidates are ranked on their id and document alone; only the few that make
            # the final k are fetched (fetching all forty cost more than BM25 itself).
            hit = fused.setdefault(chunk_id, Hit(_unfetched(chunk_id, doc_id), 0.0))
            hit.sparse_rank = rank
            hit.score += 1.0 / (self.rrf_k + rank + 1)
        ranked = sorted(fused.values(), key=lambda h: h.score, reverse=True)
        while True:
            chosen = diversify(ranked, k, per_document)
            # One fetch for the final hits: their chunks, and each one's stored vector for the
            # embedder's cache (drafting compares sentences with these passages).
            fetched = self.store.chunks_by_id([h.chunk.id for h in chosen]) if chosen else {}
            gone = {h.chunk.id for h in chosen} - set(fetched)
            if not gone:  # the usual case; otherwise a chunk was deleted since the index was built
                for hit in chosen:
                    hit.chunk = fetched[hit.chunk.id]
                return chosen
            ranked = [h for h in ranked if h.chunk.id not in gone]


_UNFETCHED = "\u0000unfetched"  # the title of a candidate's placeholder chunk, until it is fetched


def _unfetched(chunk_id: str, doc_id: str) -> Chunk:
    return Chunk(chunk_id, doc_id, "", "", _UNFETCHED, None, "", 0, "", "")


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
