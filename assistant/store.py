"""The chunk store: a Chroma collection, embedded on disk or on a Chroma server.

Chroma is the single source of truth for what has been ingested: each chunk's
metadata carries its document's path, file hash, kind, page count, ingest time
and chunk count, so the catalogue (`documents()`) and the incremental-ingest
check are read from the same place the retriever searches, and cannot drift
from it. Nothing outside this module imports chromadb.

Every write also stamps the collection's metadata with a fresh revision token,
so derived indexes (the retriever's BM25 index, persisted on disk) can tell
whether the store changed since they were built, whoever wrote to it: this
process, another one, or another machine sharing a Chroma server.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Collection, Iterator, Sequence

import numpy as np

from assistant.config import Settings
from assistant.embed import Embedder, remember_vectors
from assistant.records import VECTOR_TEXT_VERSION, Chunk, SourceDocument, doc_id_of

log = logging.getLogger(__name__)

_PAGE = 5000  # rows per get() page: keeps memory flat on large collections


class StoreError(RuntimeError):
    pass


@dataclass
class DocumentState:
    """What the store holds for one document path."""

    file_hashes: set[str]
    chunks: int
    expected: int  # chunk_count recorded at ingest; differs from `chunks` after a crash mid-write
    vector_versions: set[int] = field(default_factory=set)  # how its vectors were computed (records.VECTOR_TEXT_VERSION)

    @property
    def current_vectors(self) -> bool:
        """Embedded the way this version embeds passages, so a re-ingest need not redo it."""
        return self.vector_versions == {VECTOR_TEXT_VERSION}

    @property
    def complete(self) -> bool:
        return len(self.file_hashes) == 1 and self.chunks == self.expected


def _vector_version(meta: dict[str, Any]) -> int:
    """How a stored chunk's vector was computed (records.VECTOR_TEXT_VERSION); stores before version 2 did not say."""
    return int(meta.get("vectors", 1))


def _chroma_adapter(embedder: Embedder):
    """Wrap our embedder as a Chroma embedding function, so Chroma never falls back to its
    own default (which downloads a model, and fails offline)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, inner: Embedder):
            self.inner = inner

        def __call__(self, input: Documents) -> Embeddings:
            return [v for v in self.inner.embed_documents(list(input))]

        @staticmethod
        def name() -> str:
            return "council-drafting-assistant"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self.inner.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "AssistantEmbeddingFunction":
            from assistant.embed import get_embedder

            return AssistantEmbeddingFunction(get_embedder(config["embedder"]))

        def default_space(self):
            return "cosine"

    return AssistantEmbeddingFunction(embedder)


# How many graph neighbours Chroma's HNSW search explores per query. At Chroma's default (100) a real council's
# store (1,571 chunks) missed 10-16 of the 800 exact top-40 neighbours of the template's questions, and which ones
# changed from process to process (the graph is rebuilt from the write log on open): the same draft retrieved
# different passages on two runs. At 500 it missed none, on every run (evals: docs/evals.md).
HNSW_EF_SEARCH = 500


class ChunkStore:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.client = self._connect(settings)
        self.generation = 0  # bumped on every write in this process; the retriever's caches key on it
        self.collection = self._open_collection()

    # -- connection -------------------------------------------------------------------------
    @staticmethod
    def _connect(settings: Settings):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            try:
                return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            except Exception as exc:  # noqa: BLE001 - connection errors vary by transport
                raise StoreError(
                    f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}); "
                    "start it with `chroma run`, or unset CHROMA_HOST to use the local store"
                ) from exc
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)

    def _open_collection(self):
        name = self.settings.collection
        collection = self.client.get_or_create_collection(
            name=name,
            embedding_function=_chroma_adapter(self.embedder),
            configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_EF_SEARCH}},
            metadata={"embedder": self.embedder.name, "dimension": self.embedder.dimension},
        )
        built_with = (collection.metadata or {}).get("embedder")
        if built_with and built_with != self.embedder.name:
            raise StoreError(
                f"collection '{name}' was built with the embedder '{built_with}', but '{self.embedder.name}' is configured; "
                f"set ASSISTANT_EMBEDDER back, or use another ASSISTANT_COLLECTION / data dir and ingest again"
            )
        hnsw = (getattr(collection, "configuration", None) or {}).get("hnsw") or {}
        if hnsw.get("ef_search", 0) < HNSW_EF_SEARCH:  # a store made before it was raised
            try:
                collection.modify(configuration={"hnsw": {"ef_search": HNSW_EF_SEARCH}})
            except Exception as exc:  # noqa: BLE001 - a read-only store or an older server still searches, less exactly
                log.warning("could not raise the search depth of collection '%s' (%s): dense search may miss passages", name, exc)
        return collection

    @property
    def location(self) -> str:
        if self.settings.chroma_host:
            return f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}, collection '{self.settings.collection}'"
        return f"{self.settings.chroma_dir} (collection '{self.settings.collection}')"

    # -- writes -----------------------------------------------------------------------------
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, doc_meta: dict[str, Any]) -> None:
        """Upsert one document's chunks; `doc_meta` (kind, pages, ingested_at, chunk_count, vectors) goes on each."""
        if not chunks:
            return
        batch = max(1, min(self.client.get_max_batch_size(), 1000))
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[start : start + batch],
                metadatas=[{**c.metadata(), **doc_meta} for c in part],
            )
        self._bump_revision()

    def delete_document(self, doc_id: str, keep_ids: Collection[str] = ()) -> int:
        """Delete a document's chunks, except `keep_ids` (its new version's, just written)."""
        ids = [cid for cid, _ in self._iter_metadata({"doc_id": doc_id}) if cid not in keep_ids]
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start : start + 1000])
        if ids:
            self._bump_revision()
        return len(ids)

    def _bump_revision(self) -> None:
        self.generation += 1
        metadata = {"embedder": self.embedder.name, "dimension": self.embedder.dimension, "revision": uuid.uuid4().hex}
        self.collection.modify(metadata=metadata)

    def revision(self) -> str:
        """Changes whenever the collection's contents change, whoever changed them.

        The token written with each change, plus the count (which also catches writers
        that predate the token); read from the server, not this process's cached copy.
        """
        metadata = self.client.get_collection(self.settings.collection).metadata or {}
        return f"{metadata.get('revision', '-')}:{self.count()}"

    # -- reads ------------------------------------------------------------------------------
    def count(self) -> int:
        return self.collection.count()

    def document_state(self, doc_id: str) -> DocumentState | None:
        hashes: set[str] = set()
        versions: set[int] = set()
        chunks = 0
        expected = 0
        for _, meta in self._iter_metadata({"doc_id": doc_id}):
            hashes.add(meta["file_hash"])
            versions.add(_vector_version(meta))
            chunks += 1
            expected = int(meta.get("chunk_count", 0))
        return DocumentState(hashes, chunks, expected, versions) if chunks else None

    def find_by_file_hash(self, file_hash: str) -> str | None:
        """Source path of a stored document with this exact content, if any."""
        got = self.collection.get(where={"file_hash": file_hash}, include=["metadatas"], limit=1)
        return got["metadatas"][0]["source"] if got["ids"] else None

    def documents(self) -> list[SourceDocument]:
        docs: dict[str, SourceDocument] = {}
        for _, meta in self._iter_metadata(None):
            doc = docs.get(meta["doc_id"])
            if doc is None:
                doc = docs[meta["doc_id"]] = SourceDocument(
                    doc_id=meta["doc_id"],
                    source=meta["source"],
                    title=meta["title"],
                    file_hash=meta["file_hash"],
                    kind=meta.get("kind", ""),
                    pages=meta.get("pages"),
                    chunks=0,
                    ingested_at=meta.get("ingested_at", ""),
                )
            doc.chunks += 1
        return sorted(docs.values(), key=lambda d: d.source)

    def iter_chunks(self) -> Iterator[Chunk]:
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield Chunk.from_store(cid, text, meta)
            offset += len(got["ids"])

    def iter_texts(self) -> Iterator[tuple[str, str]]:
        """(id, text) of every chunk, a page at a time: what a keyword index is built from.
        Texts only: reading 100k chunks' metadata as well takes Chroma half as long again."""
        offset = 0
        while True:
            got = self.collection.get(include=["documents"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["documents"])
            offset += len(got["ids"])

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks with these ids that still exist (a deleted id is simply absent).

        Their stored vectors go to the embedder's cache on the way: the retriever fetches
        its final hits here, and drafting is about to compare sentences with them."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        chunks = {cid: Chunk.from_store(cid, text, meta) for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        current = [i for i, meta in enumerate(got["metadatas"]) if _vector_version(meta) == VECTOR_TEXT_VERSION]
        if current:
            self._remember_vectors([chunks[got["ids"][i]].vector_text() for i in current], [got["embeddings"][i] for i in current])
        return chunks

    def query(self, vector: np.ndarray, k: int, doc_ids: Collection[str] | None = None) -> list[tuple[str, str, float]]:
        """Nearest chunks as (chunk id, doc id, cosine similarity), without their text.

        Only ids and distances come back: the retriever fuses forty candidates and then
        fetches the few it keeps (`chunks_by_id`), which halved the payload per query.
        `doc_ids` limits the search to those documents (a plan's document set): filtered in
        Chroma's own where-clause, so the k nearest are the k nearest *within* the set."""
        if doc_ids is not None and not doc_ids:
            return []
        where = None if doc_ids is None else {"doc_id": {"$in": sorted(doc_ids)}}
        # Chroma returns fewer than k (none, on an empty collection) without a separate count() call.
        got = self.collection.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return [(cid, doc_id_of(cid), 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]

    def _remember_vectors(self, texts, vectors) -> None:
        # The passages we return are about to be compared with drafted sentences (verify);
        # their vectors are stored here already, so the embedder need not compute them again.
        remember_vectors(self.embedder, texts, vectors)

    def _iter_metadata(self, where: dict | None) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            got = self.collection.get(where=where, include=["metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["metadatas"])
            offset += len(got["ids"])
