"""The council's corpus as the web app manages it: upload, ingest, list, delete.

Uploads are checked on the server (the browser's file picker filter is a
convenience, not a control): the extension must be one a loader reads and the
size within `ASSISTANT_MAX_FILE_MB`. Accepted files are copied under
`<data dir>/uploads/` with a cleaned name, so a name such as `../../etc/x.txt`
can only ever land inside that folder. The corpus is shared by the council's
users; plans are private.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.api import Assistant
from assistant.ingest.pipeline import IngestReport
from assistant.progress import NO_PROGRESS, Progress
from assistant.records import SourceDocument

log = logging.getLogger(__name__)


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: last path part, no control or odd characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()\u2013\u2014&,+']+", "_", base).strip(" .")
    return base[:150] or "upload"


@dataclass
class UploadResult:
    report: IngestReport
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    def summary(self) -> str:
        r = self.report
        parts = []
        if r.added or r.updated:
            parts.append(f"ingested {len(r.added) + len(r.updated)} file(s), {r.chunks_written} passages")
        if r.unchanged:
            parts.append(f"{len(r.unchanged)} already in the corpus, unchanged")
        if r.duplicates:
            parts.append("; ".join(f"{Path(a).name} is the same document as {Path(b).name}, not added twice" for a, b in r.duplicates))
        problems = [(Path(f).name, why) for f, why in r.failed] + self.rejected
        if problems:
            parts.append("not ingested: " + "; ".join(f"{name}: {why}" for name, why in problems))
        return ". ".join(parts) + "." if parts else "Nothing to ingest."


class CorpusManager:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.settings = assistant.settings
        self.upload_dir = self.settings.data_dir / "uploads"
        self._lock = threading.Lock()  # one ingest or delete at a time

    def documents(self) -> list[SourceDocument]:
        return self.assistant.sources()

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

    def upload(self, files: list[tuple[str, Path]], progress: Progress = NO_PROGRESS) -> UploadResult:
        """Check, copy and ingest uploaded files: (original name, temporary path) pairs."""
        rejected: list[tuple[str, str]] = []
        accepted: list[Path] = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
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
            target = self.upload_dir / clean
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(path, tmp)
            tmp.replace(target)
            accepted.append(target)
        with self._lock:
            report = self.assistant.ingest(accepted, progress=progress) if accepted else IngestReport()
        return UploadResult(report, rejected)

    def delete(self, doc_id: str) -> SourceDocument:
        """Remove a document's passages from the store (and its uploaded copy). Plans keep their citations' text."""
        with self._lock:
            doc = next((d for d in self.documents() if d.doc_id == doc_id), None)
            if doc is None:
                raise KeyError(f"no document {doc_id!r} in the corpus")
            self.assistant.store.delete_document(doc_id)
            source = Path(doc.source)
            if source.parent.resolve() == self.upload_dir.resolve() and source.exists():
                source.unlink()
        return doc
