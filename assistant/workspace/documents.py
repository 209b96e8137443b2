"""The shared corpus's own records, kept in the workspace database beside the plans.

- **Titles officers give documents.** A title is the officers' name for a document, not a
  property of its file: it lives here, keyed by the store's document id, and is laid over the
  title read from the file wherever a title shows (the documents list, the evidence panel,
  references, exports, review). The store keeps the file's own title, which each passage was
  embedded with, so a retitle re-embeds nothing and a re-ingest of the file does not undo it.
- **The corpus log**: who added, replaced, retitled or removed which document, and when.
- **Which plans cite a document** (of every user), told to one user as plainly as privacy allows:
  their own plans by title; another user's only as a count under that user's name, because a
  plan's title is its owner's, like everything else in it.
- **Each plan's document set** (`PlanDocuments`, a mixin of `Workspace`): the documents its
  drafting and revising retrieve from. No row means every document, including ones added later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

from assistant.records import Section
from assistant.workspace.db import WorkspaceDB, now
from assistant.workspace.errors import WorkspaceError

MAX_DOC_TITLE = 200
ACTION_LABEL = {"added": "added", "replaced": "replaced", "retitled": "retitled", "removed": "removed", "updated": "re-read"}


def passages(n: int) -> str:
    return f"{n} passage" if n == 1 else f"{n} passages"


def clean_title(title: str) -> str:
    """A document title as typed, on one line; refused when empty (a document always has a name)."""
    title = " ".join((title or "").split())
    if not title:
        raise WorkspaceError("Give the document a title (it is how citations and references name it).")
    return title[:MAX_DOC_TITLE]


@dataclass
class CorpusEvent:
    at: str
    user: str
    action: str  # added | replaced | retitled | removed | updated
    doc_id: str
    file_name: str
    title: str
    detail: str

    def row(self) -> list[str]:
        """When, who, what, which document, and the detail: as the Corpus tab lists it (plain text)."""
        return [self.at.replace("T", " ")[:16] + " UTC", self.user, ACTION_LABEL.get(self.action, self.action),
                f"{self.title} ({self.file_name})", self.detail]


@dataclass
class Citations:
    """Which plans cite a document, as one user may be told it."""

    own: list[str] = field(default_factory=list)  # titles of the asker's own plans
    others: dict[str, int] = field(default_factory=dict)  # another user -> how many of their plans

    @property
    def none(self) -> bool:
        return not self.own and not self.others

    def sentence(self) -> str:
        if self.none:
            return "No plan cites it."
        parts = []
        if self.own:
            parts.append("your plan" + ("s " if len(self.own) > 1 else " ") + ", ".join(f"\u201c{t}\u201d" for t in self.own))
        parts += [f"{n} plan{'s' if n > 1 else ''} of {owner}" for owner, n in sorted(self.others.items())]
        return "Cited by " + "; ".join(parts) + ". Those plans keep the passages they cite, but cannot draft from it again."


def cited_doc_ids(section: Section) -> set[str]:
    """Documents a section's sentences cite (passages retrieved but not cited do not count)."""
    by_number = section.evidence_by_number()
    return {by_number[n].doc_id for s in section.sentences for n in s.citations if n in by_number}


class CorpusRecords:
    """Titles, the corpus log and citing plans, over the workspace database."""

    def __init__(self, db: WorkspaceDB):
        self.db = db

    # -- titles ------------------------------------------------------------------------------
    def titles(self) -> dict[str, str]:
        with self.db.read() as db:
            return {r["doc_id"]: r["title"] for r in db.execute("SELECT doc_id, title FROM document_titles")}

    def set_title(self, db, user: str, doc_id: str, title: str) -> None:
        """In the caller's transaction, so the title and its log entry are saved together."""
        db.execute("INSERT INTO document_titles VALUES (?, ?, ?, ?) ON CONFLICT(doc_id) DO UPDATE SET "
                   "title = excluded.title, set_by = excluded.set_by, set_at = excluded.set_at", (doc_id, title, user, now()))

    def forget(self, db, doc_id: str) -> None:
        """A new document under an id that was used before (a removed file uploaded again) is named by its file.
        A removal alone keeps the title: the plans that cite the removed document still show it."""
        db.execute("DELETE FROM document_titles WHERE doc_id = ?", (doc_id,))

    def move(self, db, old_id: str, new_id: str) -> None:
        """A replacement stored under a new id takes over the old one's title and its place in plans' sets."""
        db.execute("UPDATE OR REPLACE document_titles SET doc_id = ? WHERE doc_id = ?", (new_id, old_id))
        for row in db.execute("SELECT plan_id, doc_ids FROM plan_documents").fetchall():
            ids = json.loads(row["doc_ids"])
            if old_id in ids:
                ids = sorted({new_id if i == old_id else i for i in ids})
                db.execute("UPDATE plan_documents SET doc_ids = ? WHERE plan_id = ?", (json.dumps(ids), row["plan_id"]))

    # -- the log -----------------------------------------------------------------------------
    def log(self, db, user: str, action: str, doc_id: str, file_name: str, title: str, detail: str = "") -> None:
        db.execute("INSERT INTO corpus_events (at, user, action, doc_id, file_name, title, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (now(), user, action, doc_id, file_name, title, detail))

    def events(self, limit: int = 200, doc_id: str | None = None) -> list[CorpusEvent]:
        """Newest first."""
        query = "SELECT * FROM corpus_events" + (" WHERE doc_id = ?" if doc_id else "") + " ORDER BY id DESC LIMIT ?"
        with self.db.read() as db:
            rows = db.execute(query, (doc_id, limit) if doc_id else (limit,)).fetchall()
        return [CorpusEvent(r["at"], r["user"], r["action"], r["doc_id"], r["file_name"], r["title"], r["detail"]) for r in rows]

    # -- who cites a document --------------------------------------------------------------------
    def citing_plans(self, doc_id: str) -> list[tuple[str, str, str]]:
        """(plan id, owner, plan title) of every plan, of every user, whose current text cites the document."""
        found: dict[str, tuple[str, str, str]] = {}
        with self.db.read() as db:
            rows = db.execute("SELECT p.id, p.owner, p.title, s.data FROM sections s JOIN plans p ON p.id = s.plan_id "
                              "ORDER BY p.title").fetchall()
        for row in rows:
            # Most sections never saw the document: skip parsing them.
            if row["id"] not in found and doc_id in row["data"] and doc_id in cited_doc_ids(Section.from_dict(json.loads(row["data"]))):
                found[row["id"]] = (row["id"], row["owner"], row["title"])
        return list(found.values())

    def citations_for(self, user: str, doc_id: str) -> Citations:
        told = Citations()
        for _, owner, title in self.citing_plans(doc_id):
            if owner == user:
                told.own.append(title)
            else:
                told.others[owner] = told.others.get(owner, 0) + 1
        return told


class PlanDocuments:
    """The Workspace's document sets and titles (a mixin: it uses the workspace's plans and database)."""

    def document_set(self, user: str, plan_id: str) -> list[str] | None:
        """The documents the plan drafts from, or None for all of them (the default, new ones included)."""
        self.plan_summary(user, plan_id)
        with self.db.read() as db:
            row = db.execute("SELECT doc_ids FROM plan_documents WHERE plan_id = ?", (plan_id,)).fetchone()
        return json.loads(row["doc_ids"]) if row else None

    def set_document_set(self, user: str, plan_id: str, doc_ids: Iterable[str] | None) -> str:
        """Limit the plan to these documents (None: all, including any added later); says what it means for
        sections already drafted, which keep their citations until they are redrafted.

        A list naming every document there is stays a list: "these documents" is not "all documents",
        because a council's plan set up when only its own documents were in the corpus must not start
        drafting from another council's minutes the day they are uploaded."""
        self.plan_summary(user, plan_id)
        known = {d.doc_id: d for d in self.assistant.sources()}
        chosen = None if doc_ids is None else sorted(set(doc_ids))
        if chosen is not None:
            if not chosen:
                raise WorkspaceError("Choose at least one document for the plan to draft from, or all of them.")
            unknown = [d for d in chosen if d not in known]
            if unknown:
                raise WorkspaceError("A chosen document is no longer in the corpus; refresh the list and choose again.")
        with self.db.write() as db:
            if chosen is None:
                db.execute("DELETE FROM plan_documents WHERE plan_id = ?", (plan_id,))
            else:
                db.execute("INSERT INTO plan_documents VALUES (?, ?, ?, ?) ON CONFLICT(plan_id) DO UPDATE SET "
                           "doc_ids = excluded.doc_ids, set_by = excluded.set_by, set_at = excluded.set_at",
                           (plan_id, json.dumps(chosen), user, now()))
        if chosen is None:
            said = f"This plan drafts from all {len(known)} documents, and from any added later."
        else:
            said = (f"This plan drafts from {len(chosen)} of the {len(known)} documents; a document added later is "
                    "not among them until it is ticked.")
            outside = [r.title for r in self.sections(user, plan_id)
                       if r.section and cited_doc_ids(r.section) - set(chosen)]
            if outside:
                said += (" Already drafted and citing other documents: " + ", ".join(outside)
                         + ". Redraft them to draft from the chosen documents only.")
        return said

    def retitled(self, section: Section, titles: dict[str, str] | None = None) -> Section:
        """The section with each passage under its document's current title (an officer's, where given)."""
        titles = CorpusRecords(self.db).titles() if titles is None else titles
        for evidence in section.evidence:
            evidence.title = titles.get(evidence.doc_id, evidence.title)
        return section
