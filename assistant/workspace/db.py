"""The workspace's SQLite file: plans, sections, chat history and review decisions.

Every change is written as it happens (one short transaction each), so a restart,
or a crash mid-session, loses nothing the officer saw saved. The schema grows by
append-only, named migrations whose applied names are recorded, so an old
workspace file upgrades in place.
"""

from __future__ import annotations

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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_initial, m002_council_and_exports]


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
