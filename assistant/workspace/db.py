"""The workspace's SQLite file: plans, sections and their versions, chat history, review decisions,
and the shared corpus's titles, change log and each plan's documents.

Every change is written as it happens (one short transaction each), so a restart,
or a crash mid-session, loses nothing the officer saw saved. The schema grows by
append-only, named migrations whose applied names are recorded, so an old
workspace file upgrades in place.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Statement by statement: executescript() would COMMIT first and break the migration's transaction.
    for statement in script.split(";"):
        lines = [line.split("--")[0] for line in statement.splitlines()]
        if "".join(lines).strip():
            db.execute("\n".join(lines))


def m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            title TEXT NOT NULL,
            template_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX plans_owner ON plans(owner);
        CREATE TABLE sections (
            plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            status TEXT NOT NULL,          -- drafted | accepted
            data TEXT NOT NULL,            -- Section.to_dict() as JSON
            updated_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, theme_id)
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            role TEXT NOT NULL,            -- user | assistant
            content TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX messages_thread ON messages(plan_id, theme_id, id);
        CREATE TABLE reviews (
            plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            sentence_key TEXT NOT NULL,    -- theme id + hash of the sentence's text
            decision TEXT NOT NULL,        -- pending | approved | rejected
            comment TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, sentence_key)
        );
        """
    )


def m002_council_and_exports(db: sqlite3.Connection) -> None:
    """Each plan names its council (the exports print it); each export's content gets a version number."""
    _run_script(
        db,
        """
        ALTER TABLE plans ADD COLUMN council TEXT NOT NULL DEFAULT '';
        CREATE TABLE exports (
            plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,    -- of what was exported: a re-export of unchanged content keeps its version
            exported_by TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, version)
        );
        """
    )


def m003_section_versions(db: sqlite3.Connection) -> None:
    """Every version of every section. A section saved before versions existed becomes its version 1,
    by the plan's owner, at the time it was last saved (an edited one is marked as holding edits)."""
    _run_script(
        db,
        """
        CREATE TABLE section_versions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            number INTEGER NOT NULL,       -- 1, 2, ... within the section
            kind TEXT NOT NULL,            -- draft | revision | edit | restore
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL,            -- the chat request, or which version was restored
            hand_edited INTEGER NOT NULL,  -- 1 when it holds the officer's own wording
            data TEXT NOT NULL,            -- Section.to_dict() as JSON
            UNIQUE (plan_id, theme_id, number)
        )
        """
    )
    for row in db.execute("SELECT s.plan_id, s.theme_id, s.data, s.updated_at, p.owner FROM sections s "
                          "JOIN plans p ON p.id = s.plan_id").fetchall():
        edited = json.loads(row["data"]).get("drafter", "").endswith("+edited")
        db.execute(
            "INSERT INTO section_versions (plan_id, theme_id, number, kind, author, created_at, note, hand_edited, data) "
            "VALUES (?, ?, 1, ?, ?, ?, 'saved before versions were kept', ?, ?)",
            (row["plan_id"], row["theme_id"], "edit" if edited else "draft", row["owner"], row["updated_at"], int(edited), row["data"]),
        )


def m004_review_keys_by_normalised_text(db: sqlite3.Connection) -> None:
    """Review decisions were keyed by the sentence's exact text; they are now keyed by its normalised
    text (case, spacing and citation markers aside), so they follow a sentence across versions.
    Decisions on the sentences of current sections are re-keyed; any others stay as they were."""
    from assistant.sentences import normalise  # frozen here, as review.sentence_key computes it today

    for row in db.execute("SELECT plan_id, theme_id, data FROM sections").fetchall():
        for sentence in json.loads(row["data"])["sentences"]:
            text = sentence["text"]
            old = f"{row['theme_id']}:{hashlib.sha1(text.strip().encode('utf-8')).hexdigest()[:12]}"
            db.execute("UPDATE OR IGNORE reviews SET sentence_key = ? WHERE plan_id = ? AND sentence_key = ?",
                       (f"{row['theme_id']}:{hashlib.sha1(normalise(text).encode('utf-8')).hexdigest()[:12]}", row["plan_id"], old))


def m005_corpus_titles_log_and_document_sets(db: sqlite3.Connection) -> None:
    """The shared corpus's own records: titles officers gave documents, who added, replaced, retitled or
    removed which document and when, and which documents each plan drafts from (no row: all of them)."""
    _run_script(
        db,
        """
        CREATE TABLE document_titles (
            doc_id TEXT PRIMARY KEY,       -- the store's document id (a hash of where the file lives)
            title TEXT NOT NULL,           -- shown instead of the title read from the file
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        CREATE TABLE corpus_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,          -- added | replaced | retitled | removed
            doc_id TEXT NOT NULL,
            file_name TEXT NOT NULL,
            title TEXT NOT NULL,           -- the title after the change (before it, for a removal)
            detail TEXT NOT NULL           -- e.g. the old title, passages before and after, plans that cited it
        );
        CREATE TABLE plan_documents (
            plan_id TEXT PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
            doc_ids TEXT NOT NULL,         -- JSON list of the store's document ids the plan drafts from
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        )
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial, m002_council_and_exports, m003_section_versions, m004_review_keys_by_normalised_text,
    m005_corpus_titles_log_and_document_sets,
]


class WorkspaceDB:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()  # SQLite allows one writer; queue ours instead of retrying
        self._migrate()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
        db.execute("PRAGMA synchronous = FULL")  # a saved change survives a power cut
        return db

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is saved, or none of it."""
        with self._write_lock:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    def _migrate(self) -> None:
        with self.write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            applied = {row["name"] for row in db.execute("SELECT name FROM _migrations")}
            for migration in MIGRATIONS:
                if migration.__name__ not in applied:
                    migration(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", (migration.__name__, now()))

    def applied_migrations(self) -> list[str]:
        with self.read() as db:
            return [row["name"] for row in db.execute("SELECT name FROM _migrations ORDER BY name")]
