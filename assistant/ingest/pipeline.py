"""Ingest: files -> load -> chunk -> embed -> store, incremental by file hash.

Each file is handled on its own: a failure is reported with the file's name
and the batch goes on. A changed file's new chunks are written before its old
ones are deleted (chunk ids carry the file hash), so a crash at any point
leaves either the old version, or both versions, never neither; the next run
sees the document is not complete and finishes the swap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.embed import Embedder
from assistant.progress import NO_PROGRESS, Progress
from assistant.store import ChunkStore

from .chunker import chunk_document, doc_id_for
from .loaders import LoadError, load, supported_extensions

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same content as)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    pruned: list[str] = field(default_factory=list)
    chunks_written: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders into the supported files in them; name anything that cannot be used."""
    exts = set(supported_extensions())
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in exts:
                    files.append(child)
        elif path.is_file():
            files.append(path)  # an explicit file of the wrong type gets the loader's clear error
        else:
            problems.append((str(path), "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        resolved = f.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(resolved)
    return unique, problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_paths(
    paths: list[Path],
    store: ChunkStore,
    embedder: Embedder,
    settings: Settings,
    prune: bool = False,
    progress: Progress = NO_PROGRESS,
) -> IngestReport:
    report = IngestReport()
    files, problems = discover(paths)
    report.failed.extend(problems)
    if prune:
        _prune(store, report)
    progress.start(len(files), "Ingesting")
    for path in files:
        try:
            _ingest_file(path, store, embedder, settings, report)
        except LoadError as exc:
            report.failed.append((str(path), exc.reason))
            progress.warn(str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            log.debug("ingest of %s failed", path, exc_info=True)
            report.failed.append((str(path), f"{type(exc).__name__}: {exc}"))
            progress.warn(f"{path}: {type(exc).__name__}: {exc}")
        progress.advance(path.name)
    progress.finish()
    return report


def _ingest_file(path: Path, store: ChunkStore, embedder: Embedder, settings: Settings, report: IngestReport) -> None:
    size = path.stat().st_size
    if size == 0:
        raise LoadError(path, "the file is empty")
    if size > settings.max_file_mb * 1024 * 1024:
        raise LoadError(
            path, f"the file is {size / 1048576:.0f} MB, over the {settings.max_file_mb} MB limit (ASSISTANT_MAX_FILE_MB); split it or raise the limit"
        )
    source = str(path)
    file_hash = file_sha256(path)
    doc_id = doc_id_for(source)
    state = store.document_state(doc_id)
    if state is not None and state.complete and file_hash in state.file_hashes:
        report.unchanged.append(source)
        return
    twin = store.find_by_file_hash(file_hash)
    if twin and twin != source and Path(twin).exists():
        report.duplicates.append((source, twin))
        return

    doc = load(path)
    chunks = chunk_document(doc, file_hash, settings.chunk_tokens, settings.chunk_overlap)
    if not chunks:
        raise LoadError(path, "no text long enough to index")
    vectors = embedder.embed_documents([c.text for c in chunks])
    meta = {
        "kind": doc.kind,
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "chunk_count": len(chunks),
    }
    if doc.page_count is not None:
        meta["pages"] = doc.page_count
    store.add(chunks, vectors, meta)
    store.delete_document(doc_id, keep_file_hash=file_hash)
    report.chunks_written += len(chunks)
    (report.updated if state is not None else report.added).append(source)


def _prune(store: ChunkStore, report: IngestReport) -> None:
    for doc in store.documents():
        if not Path(doc.source).exists():
            store.delete_document(doc.doc_id)
            report.pruned.append(doc.source)
