"""The council's corpus as the web app manages it: upload, ingest, list, retitle, remove.

Uploads are checked on the server (the browser's file picker filter is a
convenience, not a control): the extension must be one a loader reads and the
size within `ASSISTANT_MAX_FILE_MB`. Accepted files are copied under
`<data dir>/uploads/` with a cleaned name, so a name such as `../../etc/x.txt`
can only ever land inside that folder. The corpus is shared by the council's
users; plans are private.

The corpus is safe to share: an upload named like a document already in the corpus but
holding something else is never swapped in silently. It waits (in `pending-uploads/`)
as a `NameClash` until its uploader answers: replace the document (same id, so plans'
document sets and its title stay with it) or keep both (the new one under `name (2).ext`).
Removal can first say which plans cite the document, and every change is in the corpus log
(`workspace/documents.py`), with who made it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.api import Assistant
from assistant.ingest.chunker import doc_id_for
from assistant.ingest.pipeline import IngestReport, file_sha256
from assistant.progress import NO_PROGRESS, Progress
from assistant.records import SourceDocument
from assistant.workspace.db import WorkspaceDB
from assistant.workspace.documents import Citations, CorpusEvent, CorpusRecords, clean_title, passages
from assistant.workspace.errors import WorkspaceError

log = logging.getLogger(__name__)


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: last path part, no control or odd characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()\u2013\u2014&,+']+", "_", base).strip(" .")
    return base[:150] or "upload"


PENDING_SECONDS = 86400  # an unanswered name clash's file is kept this long
CHOICES = ("replace", "keep_both", "cancel")


@dataclass
class NameClash:
    """An upload named like a document in the corpus but holding something else: held until its uploader answers."""

    token: str
    name: str  # the cleaned name it was uploaded under
    existing: SourceDocument  # what the corpus holds under that name (its title as officers see it)
    added_by: str = ""  # who put the existing one there, when the corpus log knows

    def question(self) -> str:
        who = f", added by {self.added_by}" if self.added_by else ""
        return (f"{self.name} is already in the corpus as \u201c{self.existing.title}\u201d ({passages(self.existing.chunks)}{who}), "
                "and the file you uploaded is different.")


@dataclass
class UploadResult:
    report: IngestReport
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    clashes: list[NameClash] = field(default_factory=list)  # not ingested: waiting for replace / keep both
    notes: list[str] = field(default_factory=list)  # what became of a clash once answered

    def summary(self) -> str:
        r = self.report
        parts = list(self.notes)
        if r.added or r.updated:
            parts.append(f"ingested {len(r.added) + len(r.updated)} file(s), {r.chunks_written} passages")
        if r.unchanged:
            parts.append(f"{len(r.unchanged)} already in the corpus, unchanged")
        if r.duplicates:
            parts.append("; ".join(f"{Path(a).name} is the same document as {Path(b).name}, not added twice" for a, b in r.duplicates))
        problems = [(Path(f).name, why) for f, why in r.failed] + self.rejected
        if problems:
            parts.append("not ingested: " + "; ".join(f"{name}: {why}" for name, why in problems))
        if self.clashes:
            parts.append("waiting for your answer (replace, or keep both): " + " ".join(c.question() for c in self.clashes))
        return ". ".join(p.rstrip(".") for p in parts) + "." if parts else "Nothing to ingest."


@dataclass
class RemovalCheck:
    """What removing a document would mean, as the asking user may be told it."""

    doc: SourceDocument
    citations: Citations

    def question(self) -> str:
        return (f"Remove \u201c{self.doc.title}\u201d ({Path(self.doc.source).name}, {passages(self.doc.chunks)}) from the corpus, "
                f"for every user? {self.citations.sentence()}")


class CorpusManager:
    def __init__(self, assistant: Assistant, db: WorkspaceDB | None = None):
        self.assistant = assistant
        self.settings = assistant.settings
        self.upload_dir = self.settings.data_dir / "uploads"
        self.pending_dir = self.settings.data_dir / "pending-uploads"
        self.records = CorpusRecords(db or WorkspaceDB(self.settings.data_dir / "workspace.sqlite3"))
        self._lock = threading.Lock()  # one ingest, replacement or removal at a time

    def documents(self) -> list[SourceDocument]:
        """The store's documents, each under its current title (an officer's, where one was given)."""
        titles = self.records.titles()
        return [replace(d, title=titles.get(d.doc_id, d.title)) for d in self.assistant.sources()]

    def document(self, doc_id: str) -> SourceDocument:
        found = next((d for d in self.documents() if d.doc_id == doc_id), None)
        if found is None:
            raise KeyError(f"no document {doc_id!r} in the corpus")
        return found

    def history(self, limit: int = 200) -> list[CorpusEvent]:
        """Who added, replaced, retitled or removed which document, and when: newest first."""
        return self.records.events(limit)

    def allowed_extensions(self) -> list[str]:
        from assistant.ingest.loaders import supported_extensions

        return supported_extensions()

    def check_upload(self, name: str, path: Path) -> str | None:
        """Why this upload is refused, or None when it may be ingested."""
        ext = Path(name).suffix.lower()
        if ext not in self.allowed_extensions():
            return f"{ext or 'no extension'} files are not accepted; upload {', '.join(self.allowed_extensions())}"
        size = path.stat().st_size
        if size > self.settings.max_file_mb * 1024 * 1024:
            return f"{size / 1024 / 1024:.0f} MB is over the {self.settings.max_file_mb} MB limit (ASSISTANT_MAX_FILE_MB)"
        if size == 0:
            return "the file is empty"
        return None

    # -- upload --------------------------------------------------------------------------------
    def upload(self, files: list[tuple[str, Path]], progress: Progress = NO_PROGRESS, user: str = "local") -> UploadResult:
        """Check, copy and ingest uploaded files: (original name, temporary path) pairs. A file named like a
        stored document but different from it is held as a `NameClash` (see `resolve`), never swapped in."""
        rejected: list[tuple[str, str]] = []
        clashes: list[NameClash] = []
        accepted: list[Path] = []
        unchanged: list[str] = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        with self._lock:
            self._expire_pending()
            stored = self.documents()
            by_name = {Path(d.source).name.casefold(): d for d in stored}
            for name, path in files:
                clean = safe_filename(name)
                # Cleaning can give two uploads one name ("a/report.txt", "b\\report.txt"); the second
                # would silently replace the first before it was ingested.
                why = (f"another file in this upload is also named {clean}; rename one and upload it again"
                       if clean.casefold() in taken else self.check_upload(clean, path))
                if why:
                    log.warning("upload %s refused: %s", clean, why)
                    rejected.append((clean, why))
                    continue
                taken.add(clean.casefold())
                existing = by_name.get(clean.casefold())
                if existing is not None and file_sha256(path) != existing.file_hash:
                    clashes.append(self._hold(user, clean, path, existing))
                    continue
                if existing is not None and not self._uploaded(existing):
                    unchanged.append(existing.source)  # the same file, ingested from a folder: nothing to do
                    continue
                # The same file again goes where it already is, so the store sees it unchanged.
                target = Path(existing.source) if existing is not None and self._uploaded(existing) else self.upload_dir / clean
                self._copy(path, target)
                accepted.append(target)
            report = self.assistant.ingest(accepted, progress=progress) if accepted else IngestReport()
            report.unchanged += unchanged
            self._drop_unstored(report)
            self._log_report(user, report, stored)
        return UploadResult(report, rejected, clashes)

    def ingest_in_place(self, user: str, paths: list[Path], prune: bool = False, progress: Progress = NO_PROGRESS) -> IngestReport:
        """An operator's ingest of files or folders where they lie (`assistant ingest`), logged as an upload is, and a
        document pruned because its file is gone logged as removed: the corpus log the web app shows is then the
        whole story of the store, whichever way a document came in or went."""
        with self._lock:
            stored = self.documents()
            report = self.assistant.ingest(paths, prune=prune, progress=progress)
            self._log_report(user, report, stored)
            if report.pruned:
                by_source = {d.source: d for d in stored}
                with self.records.db.write() as db:
                    for doc in filter(None, map(by_source.get, report.pruned)):
                        self.records.log(db, user, "removed", doc.doc_id, Path(doc.source).name, doc.title,
                                         f"{passages(doc.chunks)}; its file is gone (ingest --prune)")
        return report

    def resolve(self, user: str, token: str, choice: str, progress: Progress = NO_PROGRESS) -> UploadResult:
        """Answer a name clash: "replace" the document, "keep_both" (the new file under a free name), or "cancel"."""
        if choice not in CHOICES:
            raise WorkspaceError(f"Answer a name clash with one of {', '.join(CHOICES)}.")
        folder = self.pending_dir / token if re.fullmatch(r"[0-9a-f]{32}", token or "") else None
        try:
            meta = json.loads((folder / "clash.json").read_text(encoding="utf-8")) if folder else None
        except (OSError, ValueError):
            meta = None
        if meta is None or meta.get("user") != user:  # another user's upload is answered like one that never was
            raise WorkspaceError("That upload is no longer waiting for an answer; upload the file again.")
        name, staged = meta["name"], folder / meta["name"]
        try:
            with self._lock:
                if choice == "cancel":
                    return UploadResult(IngestReport(), notes=[f"{name} was not added; the corpus keeps the document it had"])
                stored = self.documents()
                existing = next((d for d in stored if d.doc_id == meta["doc_id"]), None)
                if choice == "replace" and existing is not None:
                    return self._replace(user, existing, staged, stored, progress)
                return self._keep_both(user, name, existing, staged, stored, progress)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _replace(self, user: str, existing: SourceDocument, staged: Path, stored: list[SourceDocument],
                 progress: Progress) -> UploadResult:
        if self._uploaded(existing):
            # In place: the same path is the same document id, so the plans that draft from it, and its
            # title, stay with it; the pipeline writes the new passages before it deletes the old ones.
            target = Path(existing.source)
            backup = target.with_name(target.name + ".replaced")
            if target.exists():
                target.replace(backup)
            self._copy(staged, target)
            report = self.assistant.ingest([target], progress=progress)
            if report.updated or report.added:
                backup.unlink(missing_ok=True)
            elif backup.exists():  # unreadable, or a copy of another document: the old file stays with the store
                backup.replace(target)
            self._log_report(user, report, stored, replaced={existing.doc_id})
            return UploadResult(report)
        # Ingested from a folder outside uploads/ (`assistant ingest`): the new file is stored under uploads/
        # (a new id) and the old document is removed; its title and plans' sets move to the new one.
        target = self.upload_dir / self._free_name(staged.name, [d for d in stored if d.doc_id != existing.doc_id])
        self._copy(staged, target)
        report = self.assistant.ingest([target], progress=progress)
        self._drop_unstored(report)
        new_id = doc_id_for(str(target.resolve()))
        if report.added or report.updated:
            self.assistant.store.delete_document(existing.doc_id)
            with self.records.db.write() as db:
                self.records.move(db, existing.doc_id, new_id)
            new = self.document(new_id)
            with self.records.db.write() as db:
                self.records.log(db, user, "replaced", new_id, target.name, new.title,
                                 f"{passages(existing.chunks)} \u2192 {new.chunks}; the old file was {Path(existing.source).name}")
        else:
            self._log_report(user, report, stored)
        return UploadResult(report)

    def _keep_both(self, user: str, name: str, existing: SourceDocument | None, staged: Path, stored: list[SourceDocument],
                   progress: Progress) -> UploadResult:
        free = self._free_name(name, stored)
        target = self.upload_dir / free
        self._copy(staged, target)
        report = self.assistant.ingest([target], progress=progress)
        self._drop_unstored(report)
        notes = [f"kept both: the new file is stored as {free}"] if free != name else []
        self._log_report(user, report, stored, note="kept both: " + name + " was already in the corpus" if existing else "")
        new_id = doc_id_for(str(target.resolve()))
        new = next((d for d in self.documents() if d.doc_id == new_id), None)
        if existing is not None and new is not None and new.title.casefold() == existing.title.casefold():
            # Two documents under one title would be two indistinguishable references.
            number = re.search(r"\((\d+)\)$", Path(free).stem)
            title = clean_title(f"{new.title} ({number.group(1) if number else 2})")
            with self.records.db.write() as db:
                self.records.set_title(db, user, new_id, title)
            notes.append(f"titled \u201c{title}\u201d so the two can be told apart (change it below)")
        return UploadResult(report, notes=notes)

    # -- retitle and remove -----------------------------------------------------------------------
    def retitle(self, user: str, doc_id: str, title: str) -> SourceDocument:
        """Give a document the title citations, references and exports show (its file is left as it is)."""
        title = clean_title(title)
        doc = self.document(doc_id)
        if title != doc.title:
            with self.records.db.write() as db:
                self.records.set_title(db, user, doc_id, title)
                self.records.log(db, user, "retitled", doc_id, Path(doc.source).name, title, f"was \u201c{doc.title}\u201d")
        return self.document(doc_id)

    def removal_check(self, user: str, doc_id: str) -> RemovalCheck:
        """What to ask before removing: the document, and which plans (of all users) cite it."""
        return RemovalCheck(self.document(doc_id), self.records.citations_for(user, doc_id))

    def delete(self, doc_id: str, user: str = "local") -> SourceDocument:
        """Remove a document's passages from the store (and its uploaded copy). Plans keep their citations' text."""
        with self._lock:
            doc = self.document(doc_id)
            citing = self.records.citing_plans(doc_id)
            self.assistant.store.delete_document(doc_id)
            source = Path(doc.source)
            if self._uploaded(doc) and source.exists():
                source.unlink()
            with self.records.db.write() as db:
                # The log is read by every user: it counts the plans that cited it, it does not name them.
                self.records.log(db, user, "removed", doc_id, source.name, doc.title,
                                 f"{passages(doc.chunks)}; cited by {len(citing)} plan(s)" if citing else passages(doc.chunks))
        return doc

    # -- helpers ----------------------------------------------------------------------------------
    def _uploaded(self, doc: SourceDocument) -> bool:
        return Path(doc.source).parent.resolve() == self.upload_dir.resolve()

    @staticmethod
    def _copy(source: Path, target: Path) -> None:
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)

    def _hold(self, user: str, name: str, path: Path, existing: SourceDocument) -> NameClash:
        token = uuid.uuid4().hex
        folder = self.pending_dir / token
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / name)
        (folder / "clash.json").write_text(json.dumps({"user": user, "name": name, "doc_id": existing.doc_id,
                                                       "at": time.time()}), encoding="utf-8")
        added_by = next((e.user for e in self.records.events(doc_id=existing.doc_id) if e.action in ("added", "replaced")), "")
        log.info("upload %s by %s clashes with %s: waiting for an answer", name, user, existing.source)
        return NameClash(token, name, existing, added_by)

    def _expire_pending(self) -> None:
        if self.pending_dir.is_dir():
            for folder in self.pending_dir.iterdir():
                if time.time() - folder.stat().st_mtime > PENDING_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)

    def _free_name(self, name: str, stored: list[SourceDocument]) -> str:
        """`name`, or `stem (2).ext`, `stem (3).ext`, ...: the first no stored document or uploaded file has."""
        taken = {Path(d.source).name.casefold() for d in stored}
        taken |= {p.name.casefold() for p in self.upload_dir.iterdir()} if self.upload_dir.is_dir() else set()
        path = Path(name)
        stem = re.sub(r" \(\d+\)$", "", path.stem)
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem} ({n}){path.suffix}"
        return candidate

    def _drop_unstored(self, report: IngestReport) -> None:
        """An uploaded copy the store did not take (a twin of a stored document, an unreadable file) is not kept."""
        for source in [a for a, _ in report.duplicates] + [f for f, _ in report.failed]:
            path = Path(source)
            if path.parent.resolve() == self.upload_dir.resolve() and self.assistant.store.document_state(doc_id_for(str(path))) is None:
                path.unlink(missing_ok=True)

    def _log_report(self, user: str, report: IngestReport, before: list[SourceDocument], replaced: set[str] = frozenset(),
                    note: str = "") -> None:
        """The corpus log's entries for what an ingest added or changed."""
        if not (report.added or report.updated):
            return
        was = {d.doc_id: d for d in before}
        now_stored = {d.doc_id: d for d in self.assistant.sources()}
        with self.records.db.write() as db:
            titles = {r["doc_id"]: r["title"] for r in db.execute("SELECT doc_id, title FROM document_titles")}
            for source, action in [(s, "added") for s in report.added] + [(s, "updated") for s in report.updated]:
                doc_id = doc_id_for(source)
                doc = now_stored.get(doc_id)
                if doc is None:
                    continue
                if action == "added":
                    self.records.forget(db, doc_id)  # a new document under a used id: named by its own file
                    detail = "; ".join(x for x in (passages(doc.chunks), note) if x)
                else:
                    action = "replaced" if doc_id in replaced else "updated"
                    detail = f"{passages(was[doc_id].chunks)} \u2192 {doc.chunks}" if doc_id in was else passages(doc.chunks)
                title = doc.title if action == "added" else titles.get(doc_id, doc.title)
                self.records.log(db, user, action, doc_id, Path(source).name, title, detail)
