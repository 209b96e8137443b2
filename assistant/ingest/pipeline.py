"""Ingest: files -> load -> chunk -> embed -> store, incremental by file hash.

Each file is handled on its own: a failure is reported with the file's name
and the batch goes on. The stages overlap (load and chunk ahead, embed in
batches across files, write behind) so ingest runs close to the speed of the
embedding model alone; see `ingest_paths`. A changed file's new chunks are written before its old
ones are deleted (chunk ids carry the file hash), so a crash at any point
leaves either the old version, or both versions, never neither; the next run
sees the document is not complete and finishes the swap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.embed import Embedder
from assistant.progress import NO_PROGRESS, Progress
from assistant.records import VECTOR_TEXT_VERSION
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
                if hidden or child.suffix.lower() not in exts:
                    continue
                if child.is_file():
                    files.append(child)
                elif child.is_symlink() and not child.exists():
                    problems.append((str(child), _BROKEN_LINK))
        elif path.is_file():
            files.append(path)  # an explicit file of the wrong type gets the loader's clear error
        elif path.is_symlink():
            problems.append((str(path), _BROKEN_LINK))
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


_BROKEN_LINK = "a symbolic link whose target is missing or loops back on itself; point it at the real file"


def one_line(reason: str, limit: int = 300) -> str:
    """A failure reason as one short line: library errors can span lines (lxml, Chroma)."""
    text = " ".join(str(reason).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Chunks embedded per model call, across files: one call per small file wastes the
# model's batching; much larger calls only delay the writes behind them.
EMBED_BATCH = 256
# Files prepared ahead of the embedder (bounded: each holds its text in memory).
LOOKAHEAD = 4
_PENDING = object()  # a prepared file's write, before its batch has been embedded


@dataclass
class _Prepared:
    """A file loaded and chunked, waiting for its vectors."""

    source: str
    doc_id: str
    file_hash: str
    is_update: bool
    chunks: list
    meta: dict


@dataclass
class _Outcome:
    """What became of one file; `prepared` files still have to be embedded and written."""

    path: Path
    kind: str  # "prepared" | "unchanged" | "duplicate" | "failed"
    prepared: _Prepared | None = None
    detail: str = ""  # the twin for a duplicate, the reason for a failure


def ingest_paths(
    paths: list[Path],
    store: ChunkStore,
    embedder: Embedder,
    settings: Settings,
    prune: bool = False,
    progress: Progress = NO_PROGRESS,
) -> IngestReport:
    """Ingest files, overlapping the stages: while the model embeds one batch, the next
    files are loaded and chunked on one thread and the last batch is written to the
    store on another (a write mostly waits on disk or network). Results are reported
    in file order, as a sequential ingest would."""
    report = IngestReport()
    files, problems = discover(paths)
    report.failed.extend((source, one_line(why)) for source, why in problems)
    if prune:
        _prune(store, report)
    progress.start(len(files), "Ingesting")
    seen_hashes: dict[str, str] = {}  # file hash -> source, for twins within this run
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-prepare") as preparer, \
            ThreadPoolExecutor(1, thread_name_prefix="ingest-write") as writer:
        ahead: deque[Future] = deque()
        remaining = iter(files)

        def top_up() -> None:
            while len(ahead) < LOOKAHEAD and (path := next(remaining, None)) is not None:
                ahead.append(preparer.submit(_prepare, path, store, settings, seen_hashes))

        # Every file in order, as [outcome, write]; a prepared file's write is PENDING until its batch is embedded.
        done: deque[list] = deque()
        batch: list[list] = []
        top_up()
        try:
            while ahead:
                entry = [ahead.popleft().result(), None]
                top_up()
                done.append(entry)
                if entry[0].kind == "prepared":
                    entry[1] = _PENDING
                    batch.append(entry)
                # Embed now if the batch is big enough, or if the next file is not ready yet
                # (the model would otherwise sit idle waiting for it).
                size = sum(len(e[0].prepared.chunks) for e in batch)
                if batch and (size >= EMBED_BATCH or not ahead or not ahead[0].done()):
                    _embed_and_submit(batch, embedder, store, writer)
                    batch = []
                _report_finished(done, report, progress, wait=False)
        except BaseException:  # Ctrl-C: do not load or write the files still queued
            for future in [*ahead, *(w for _, w in done if isinstance(w, Future))]:
                future.cancel()
            raise
        _report_finished(done, report, progress, wait=True)
    progress.finish()
    return report


def _prepare(path: Path, store: ChunkStore, settings: Settings, seen_hashes: dict[str, str]) -> _Outcome:
    """Checks, load and chunk one file (runs on the preparing thread, one file at a time)."""
    try:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            # Chroma stores the path as UTF-8 text; a name written in another system's
            # encoding would fail at the write, after the embedding work, with a codec error.
            raise LoadError(path, "the file name is not valid UTF-8 (written in another system's encoding); rename the file and ingest it again") from None
        size = path.stat().st_size
        if size == 0:
            raise LoadError(path, "the file is empty (0 bytes); check it was saved or copied completely")
        if size > settings.max_file_mb * 1024 * 1024:
            raise LoadError(
                path, f"the file is {size / 1048576:.0f} MB, over the {settings.max_file_mb} MB limit (ASSISTANT_MAX_FILE_MB); split it or raise the limit"
            )
        source = str(path)
        file_hash = file_sha256(path)
        doc_id = doc_id_for(source)
        state = store.document_state(doc_id)
        if state is not None and state.complete and file_hash in state.file_hashes and state.current_vectors:
            return _Outcome(path, "unchanged")
        twin = seen_hashes.get(file_hash) or store.find_by_file_hash(file_hash)
        if twin and twin != source and Path(twin).exists():
            return _Outcome(path, "duplicate", detail=twin)

        doc = load(path)
        chunks = chunk_document(doc, file_hash, settings.chunk_tokens, settings.chunk_overlap)
        if not chunks:
            raise LoadError(path, "no text long enough to index")
        meta = {"kind": doc.kind, "chunk_count": len(chunks), "vectors": VECTOR_TEXT_VERSION}
        if doc.page_count is not None:
            meta["pages"] = doc.page_count
        seen_hashes[file_hash] = source
        return _Outcome(path, "prepared", _Prepared(source, doc_id, file_hash, state is not None, chunks, meta))
    except LoadError as exc:
        return _Outcome(path, "failed", detail=exc.reason)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        log.debug("ingest of %s failed", path, exc_info=True)
        return _Outcome(path, "failed", detail=f"{type(exc).__name__}: {exc}")


def _embed_and_submit(batch: list[list], embedder: Embedder, store: ChunkStore, writer: ThreadPoolExecutor) -> None:
    """Embed a batch of files in one model call, then queue each file's write, in order."""
    texts = [c.vector_text() for outcome, _ in batch for c in outcome.prepared.chunks]
    try:
        vectors = embedder.embed_documents(texts)
    except Exception as exc:  # noqa: BLE001 - reported against each file of the batch
        log.debug("embedding failed", exc_info=True)
        for entry in batch:
            entry[0].kind, entry[0].detail, entry[1] = "failed", f"{type(exc).__name__}: {exc}", None
        return
    start = 0
    for entry in batch:
        n = len(entry[0].prepared.chunks)
        entry[1] = writer.submit(_write, entry[0].prepared, vectors[start : start + n], store)
        start += n


def _write(prepared: _Prepared, vectors, store: ChunkStore) -> None:
    # New version first, then the old one's chunks: a crash in between leaves both, never neither.
    meta = {**prepared.meta, "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    store.add(prepared.chunks, vectors, meta)
    store.delete_document(prepared.doc_id, keep_ids={c.id for c in prepared.chunks})


def _report_finished(done: deque, report: IngestReport, progress: Progress, wait: bool) -> None:
    """Record finished files in file order; stop at the first not yet written (unless `wait`)."""
    while done:
        outcome, write = done[0]
        if write is _PENDING or (write is not None and not (wait or write.done())):
            return
        done.popleft()
        source = str(outcome.path)
        kind, detail = outcome.kind, outcome.detail
        if write is not None:
            try:
                write.result()
            except Exception as exc:  # noqa: BLE001 - a failed write fails that file only
                log.debug("writing %s failed", source, exc_info=True)
                kind, detail = "failed", f"{type(exc).__name__}: {exc}"
        if kind == "prepared":
            report.chunks_written += len(outcome.prepared.chunks)
            (report.updated if outcome.prepared.is_update else report.added).append(source)
        elif kind == "unchanged":
            report.unchanged.append(source)
        elif kind == "duplicate":
            report.duplicates.append((source, detail))
        else:
            detail = one_line(detail)
            report.failed.append((source, detail))
            progress.warn(f"{outcome.path}: {detail}")
        progress.advance(outcome.path.name)


def _prune(store: ChunkStore, report: IngestReport) -> None:
    for doc in store.documents():
        if not Path(doc.source).exists():
            store.delete_document(doc.doc_id)
            report.pruned.append(doc.source)
