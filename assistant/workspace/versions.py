"""Every version of a section, kept: the draft, each chat revision, each edit, each restore.

A version is the whole section as it stood (Section JSON), with who made it, when and how.
The `sections` table holds the current one for speed; this table is the history an officer
can go back to, so nothing written in the workspace is ever overwritten. What changed between
two versions is told sentence by sentence (by normalised text, as review decisions are keyed).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.records import Section
from assistant.sentences import normalise
from assistant.workspace.db import now
from assistant.workspace.errors import WorkspaceError

if TYPE_CHECKING:
    from assistant.workspace.service import SectionRecord

# How a version came to be, as the versions list says it.
KIND_LABEL = {"draft": "drafted", "revision": "revised in the chat", "edit": "edited by hand", "restore": "restored"}


@dataclass
class SectionVersion:
    number: int  # 1, 2, ... within the section
    kind: str  # draft | revision | edit | restore
    author: str
    created_at: str
    note: str  # the chat request, or which version was restored
    hand_edited: bool  # holds an officer's own wording (an edit, or a revision or restore of one)
    section: Section

    def label(self) -> str:
        stamp = self.created_at.replace("T", " ")[:16]
        what = KIND_LABEL.get(self.kind, self.kind)
        note = f" ({self.note[:40]})" if self.note else ""
        return f"v{self.number} \u00b7 {what}{note} by {self.author} \u00b7 {stamp} UTC \u00b7 {len(self.section.sentences)} sentences"


@dataclass
class SentenceChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0

    @property
    def none(self) -> bool:
        return not self.added and not self.removed


def sentence_changes(before: Section | None, after: Section) -> SentenceChanges:
    """Sentences added and removed, compared by their normalised text (case, spacing and markers aside)."""
    old = [s.text for s in before.sentences] if before else []
    old_keys = {normalise(t) for t in old}
    new_keys = {normalise(s.text) for s in after.sentences}
    return SentenceChanges(
        added=[s.text for s in after.sentences if normalise(s.text) not in old_keys],
        removed=[t for t in old if normalise(t) not in new_keys],
        kept=sum(normalise(s.text) in old_keys for s in after.sentences),
    )


def changes_markdown(changes: SentenceChanges) -> list[str]:
    """The chat's account of a new version: what was added and removed, not the whole section again."""
    lines = [f"{len(changes.added)} sentence(s) added, {len(changes.removed)} removed, {changes.kept} unchanged."]
    if changes.added:
        lines += ["", "**Added:**", *[f"- {t}" for t in changes.added]]
    if changes.removed:
        lines += ["", "**Removed:**", *[f"- {t}" for t in changes.removed]]
    return lines


def same_text(a: Section | None, b: Section | None) -> bool:
    """True when two versions say the same thing with the same citations (a new version would be a copy)."""
    if a is None or b is None:
        return a is b
    shape = lambda s: [(x.text, list(x.citations), x.paragraph) for x in s.sentences]  # noqa: E731
    return shape(a) == shape(b)


def record_version(db: sqlite3.Connection, plan_id: str, section: Section, kind: str, author: str,
                   note: str = "", hand_edited: bool = False) -> int:
    """Append a version; called in the same transaction that makes it the current section."""
    row = db.execute("SELECT COALESCE(MAX(number), 0) + 1 AS next FROM section_versions WHERE plan_id = ? AND theme_id = ?",
                     (plan_id, section.theme_id)).fetchone()
    db.execute(
        "INSERT INTO section_versions (plan_id, theme_id, number, kind, author, created_at, note, hand_edited, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, section.theme_id, row["next"], kind, author, now(), note[:500], int(hand_edited),
         json.dumps(section.to_dict(), ensure_ascii=False)),
    )
    return row["next"]


def _version(row) -> SectionVersion:
    return SectionVersion(row["number"], row["kind"], row["author"], row["created_at"], row["note"], bool(row["hand_edited"]),
                          Section.from_dict(json.loads(row["data"])))


def list_versions(db: sqlite3.Connection, plan_id: str, theme_id: str) -> list[SectionVersion]:
    """Newest first, as an undo list reads."""
    rows = db.execute("SELECT * FROM section_versions WHERE plan_id = ? AND theme_id = ? ORDER BY number DESC",
                      (plan_id, theme_id)).fetchall()
    return [_version(r) for r in rows]


def latest_version(db: sqlite3.Connection, plan_id: str, theme_id: str) -> SectionVersion | None:
    row = db.execute("SELECT * FROM section_versions WHERE plan_id = ? AND theme_id = ? ORDER BY number DESC LIMIT 1",
                     (plan_id, theme_id)).fetchone()
    return _version(row) if row else None


def find_version(db: sqlite3.Connection, plan_id: str, theme_id: str, number: int) -> SectionVersion | None:
    row = db.execute("SELECT * FROM section_versions WHERE plan_id = ? AND theme_id = ? AND number = ?",
                     (plan_id, theme_id, number)).fetchone()
    return _version(row) if row else None


class SectionHistory:
    """The Workspace's version methods (a mixin: it uses the workspace's sections, database and review)."""

    def versions(self, user: str, plan_id: str, theme_id: str) -> list[SectionVersion]:
        """The section's versions, newest (the current one) first."""
        self.plan_summary(user, plan_id)
        self.template.theme(theme_id)
        with self.db.read() as db:
            return list_versions(db, plan_id, theme_id)

    def restore(self, user: str, plan_id: str, theme_id: str, number: int) -> SectionRecord:
        """Undo to an earlier version: it becomes the current text as a new version, so the ones after it stay too."""
        record = self.section(user, plan_id, theme_id)
        if record.locked:
            raise WorkspaceError(f"\u201c{record.title}\u201d is accepted and locked. Reopen it to restore an earlier version.")
        with self.db.write() as db:
            version = find_version(db, plan_id, theme_id, int(number))
            if version is None:
                raise WorkspaceError(f"There is no version {number} of \u201c{record.title}\u201d; choose one from the list.")
            self._save_version(db, plan_id, version.section, "restore", user, f"version {version.number}", version.hand_edited)
            self._add_message(plan_id, theme_id, "user", f"(restored version {version.number}, {version.label()})", db=db)
        return self.section(user, plan_id, theme_id)

    @staticmethod
    def _hand_edited(db, plan_id: str, theme_id: str) -> bool:
        latest = latest_version(db, plan_id, theme_id)
        return bool(latest and latest.hand_edited)

    def redraft_warning(self, user: str, plan_id: str, theme_id: str) -> str:
        """Why redrafting the section needs the officer's yes ("" when nothing of theirs would be replaced)."""
        record = self.section(user, plan_id, theme_id)
        if record.section is None:
            return ""
        with self.db.read() as db:
            edited = self._hand_edited(db, plan_id, theme_id)
        approved = sum(r.decision == "approved" for r in self.review(user, plan_id, theme_id=theme_id))
        held = [what for what, present in (("your own edits", edited), (f"{approved} approved sentence(s)", approved)) if present]
        if not held:
            return ""
        return (f"\u201c{record.title}\u201d holds {' and '.join(held)}. Redrafting replaces the text with a new draft; "
                "the current text stays in the section's versions, so you can restore it.")
