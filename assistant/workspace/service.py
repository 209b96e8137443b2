"""The workspace: what an officer or reviewer does in a day, as one user-scoped API.

Plans, their sections and chat threads, review decisions and exports, kept in
SQLite (`WorkspaceDB`) and driven through the core `Assistant`. Every method
takes the user first and only ever touches that user's plans: another user's
plan id is answered exactly like an id that does not exist, so ids leak nothing.
The web app is a thin shell over this class; nothing here knows about Gradio.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from assistant.api import Assistant
from assistant.budget import BudgetLine, plan_budget, plan_pages
from assistant.draft import fallback_notes, resolve_drafter_name
from assistant.records import Plan, Section
from assistant.sentences import normalise
from assistant.verify import FLAG_NO_CITATION, FLAG_NUMBER
from assistant.workspace import exports
from assistant.workspace.db import WorkspaceDB, now
from assistant.workspace.documents import CorpusRecords, PlanDocuments
from assistant.workspace.errors import ConfirmationNeeded, PlanNotFound, WorkspaceError  # noqa: F401 - re-exported
from assistant.workspace.reviews import ReviewDesk
from assistant.workspace.versions import SectionHistory, changes_markdown, record_version, same_text, sentence_changes

log = logging.getLogger(__name__)

MAX_TITLE = 200
# Phrases that mean "write it (again) from the evidence" rather than "change what is there".
_DRAFT_REQUEST = re.compile(r"^\s*(please\s+)?(draft|redraft|regenerate|rewrite from scratch|start again)\b", re.IGNORECASE)


@dataclass
class PlanSummary:
    id: str
    title: str
    template_id: str
    created_at: str
    updated_at: str
    council: str = ""


@dataclass
class SectionRecord:
    theme_id: str
    title: str
    status: str  # empty | drafted | accepted
    section: Section | None

    @property
    def locked(self) -> bool:
        return self.status == "accepted"


@dataclass
class ThemeBudget(BudgetLine):
    """A section's budget line, with where the section stands in review."""

    status: str = ""


@dataclass
class PlanOverview:
    plan: PlanSummary
    themes: list[ThemeBudget]
    total_tokens: int
    budget_tokens: int
    pages: float  # as the export prints them, references included when the template counts them
    page_limit: int
    references: str = ""  # where the references list goes and what it costs, for the meter to say
    pages_over: bool = False

    @property
    def over(self) -> bool:
        return self.pages_over or self.total_tokens > self.budget_tokens or any(t.over for t in self.themes)


@dataclass
class ChatEvent:
    kind: str  # "text" (streamed draft text) | "restart" | "done" | "error"
    text: str = ""
    record: SectionRecord | None = None


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise WorkspaceError("Give the plan a title.")
    return title[:MAX_TITLE]


def _council(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise WorkspaceError("Give the council's name, as the plan should print it (for example \u201cBrackenridge Borough Council\u201d).")
    return name[:MAX_TITLE]


class Workspace(ReviewDesk, SectionHistory, PlanDocuments):
    def __init__(self, assistant: Assistant, db: WorkspaceDB | None = None):
        self.assistant = assistant
        self.db = db or WorkspaceDB(assistant.settings.data_dir / "workspace.sqlite3")
        self.template = assistant.template

    # -- plans -------------------------------------------------------------------------------
    def create_plan(self, user: str, title: str, council: str | None = None) -> PlanSummary:
        """A new plan for `council` (default: the ASSISTANT_COUNCIL setting; `set_council` changes it)."""
        plan_id, stamp = uuid.uuid4().hex, now()
        council = _council(council) if council is not None else self.assistant.settings.council
        with self.db.write() as db:
            db.execute("INSERT INTO plans (id, owner, title, template_id, created_at, updated_at, council) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (plan_id, user, _title(title), self.template.id, stamp, stamp, council))
        return self.plan_summary(user, plan_id)

    def plans(self, user: str) -> list[PlanSummary]:
        with self.db.read() as db:
            rows = db.execute("SELECT * FROM plans WHERE owner = ? ORDER BY updated_at DESC, title", (user,)).fetchall()
        return [self._summary(row) for row in rows]

    def plan_summary(self, user: str, plan_id: str) -> PlanSummary:
        with self.db.read() as db:
            row = db.execute("SELECT * FROM plans WHERE id = ? AND owner = ?", (plan_id, user)).fetchone()
        if row is None:
            raise PlanNotFound()
        return self._summary(row)

    @staticmethod
    def _summary(row) -> PlanSummary:
        return PlanSummary(row["id"], row["title"], row["template_id"], row["created_at"], row["updated_at"], row["council"])

    def set_council(self, user: str, plan_id: str, council: str) -> PlanSummary:
        """The council the plan is written for, as its exports print it."""
        self.plan_summary(user, plan_id)
        with self.db.write() as db:
            db.execute("UPDATE plans SET council = ?, updated_at = ? WHERE id = ? AND owner = ?",
                       (_council(council), now(), plan_id, user))
        return self.plan_summary(user, plan_id)

    def rename_plan(self, user: str, plan_id: str, title: str) -> PlanSummary:
        self.plan_summary(user, plan_id)
        with self.db.write() as db:
            db.execute("UPDATE plans SET title = ?, updated_at = ? WHERE id = ? AND owner = ?", (_title(title), now(), plan_id, user))
        return self.plan_summary(user, plan_id)

    def delete_plan(self, user: str, plan_id: str) -> None:
        self.plan_summary(user, plan_id)
        with self.db.write() as db:
            db.execute("DELETE FROM plans WHERE id = ? AND owner = ?", (plan_id, user))

    # -- sections ----------------------------------------------------------------------------
    def sections(self, user: str, plan_id: str) -> list[SectionRecord]:
        """Every theme of the template, in order, drafted or not."""
        self.plan_summary(user, plan_id)
        with self.db.read() as db:
            rows = {r["theme_id"]: r for r in db.execute("SELECT * FROM sections WHERE plan_id = ?", (plan_id,))}
        records, titles = [], CorpusRecords(self.db).titles()
        for theme in self.template.themes:
            row = rows.get(theme.id)
            # Passages show their document's current title: an officer may have retitled it since the draft.
            section = self.retitled(Section.from_dict(json.loads(row["data"])), titles) if row else None
            records.append(SectionRecord(theme.id, theme.title, row["status"] if row else "empty", section))
        return records

    def section(self, user: str, plan_id: str, theme_id: str) -> SectionRecord:
        self.template.theme(theme_id)  # an unknown theme is an error, not an empty section
        return next(r for r in self.sections(user, plan_id) if r.theme_id == theme_id)

    def _save_version(self, db, plan_id: str, section: Section, kind: str, author: str, note: str = "",
                      hand_edited: bool = False) -> None:
        """A new current section and its version, in the caller's transaction: both are saved, or neither."""
        self._save_section(plan_id, section, db=db)
        record_version(db, plan_id, section, kind, author, note, hand_edited)

    def _save_section(self, plan_id: str, section: Section, status: str = "drafted", db=None) -> None:
        def save(conn):
            conn.execute(
                "INSERT INTO sections VALUES (?, ?, ?, ?, ?) ON CONFLICT(plan_id, theme_id) DO UPDATE SET "
                "status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
                (plan_id, section.theme_id, status, json.dumps(section.to_dict(), ensure_ascii=False), now()),
            )
            conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (now(), plan_id))

        if db is not None:
            save(db)
        else:
            with self.db.write() as conn:
                save(conn)

    def plan(self, user: str, plan_id: str) -> Plan:
        summary = self.plan_summary(user, plan_id)
        sections = [r.section for r in self.sections(user, plan_id) if r.section is not None]
        plan = Plan(self.template.id, summary.title, sections, self.template.page_limit, self.template.tokens_per_page,
                    council=summary.council or self.assistant.settings.council)
        plan.total_tokens = plan_budget(plan, self.template)[1]
        return plan

    def overview(self, user: str, plan_id: str) -> PlanOverview:
        """The page meter: each theme's tokens and printed pages, and the plan's total as the export prints it."""
        summary = self.plan_summary(user, plan_id)
        records = self.sections(user, plan_id)
        budget = plan_pages(self.plan(user, plan_id), self.template)
        lines = {line.theme_id: line for line in budget.lines}
        themes = []
        for record in records:
            line = lines.get(record.theme_id)
            themes.append(ThemeBudget(record.theme_id, record.title, line.tokens if line else 0,
                                      self.template.allowance(record.theme_id), line.pages if line else 0.0,
                                      line.text_tokens if line else 0, status=record.status))
        return PlanOverview(summary, themes, budget.counted_tokens, self.template.budget_tokens, budget.pages,
                            self.template.page_limit, budget.references_note(), budget.pages > self.template.page_limit)

    # -- chat: draft and revise ----------------------------------------------------------------
    def messages(self, user: str, plan_id: str, theme_id: str) -> list[dict[str, str]]:
        self.plan_summary(user, plan_id)
        with self.db.read() as db:
            rows = db.execute("SELECT role, content FROM messages WHERE plan_id = ? AND theme_id = ? ORDER BY id",
                              (plan_id, theme_id)).fetchall()
        return [{"role": r["role"], "content": r["content"]} for r in rows]

    def _add_message(self, plan_id: str, theme_id: str, role: str, content: str, db=None) -> None:
        def add(conn):
            conn.execute("INSERT INTO messages (plan_id, theme_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)",
                         (plan_id, theme_id, role, content, now()))

        if db is not None:
            add(db)
        else:
            with self.db.write() as conn:
                add(conn)

    def chat(self, user: str, plan_id: str, theme_id: str, message: str, drafter: str | None = None,
             replace: bool = False) -> Iterator[ChatEvent]:
        """One turn of a theme's chat: draft the section, or revise it as the message asks.

        The officer's message is saved before any work starts and the new section, its
        version and the reply in one transaction after, so a failure never loses what was
        there. Redrafting a section that holds the officer's edits or approved sentences is
        refused (`ConfirmationNeeded`) unless `replace` says the officer was asked.
        """
        message = (message or "").strip()
        if not message:
            raise WorkspaceError("Type what you want: \u201cdraft this section\u201d, or a change such as \u201cshorter\u201d.")
        record = self.section(user, plan_id, theme_id)
        if record.locked:
            raise WorkspaceError(f"\u201c{record.title}\u201d is accepted and locked. Reopen it to change it.")
        redraft = record.section is None or bool(_DRAFT_REQUEST.match(message))
        if redraft and not replace and (warning := self.redraft_warning(user, plan_id, theme_id)):
            raise ConfirmationNeeded(warning)
        self._add_message(plan_id, theme_id, "user", message)
        doc_ids = self.document_set(user, plan_id)  # the plan's documents only (None: all of them)
        if redraft:
            events = self.assistant.stream_section(theme_id, drafter, exclude=self._used_elsewhere(user, plan_id, theme_id),
                                                   doc_ids=doc_ids)
            verb = "Drafted" if record.section is None else "Redrafted"
        else:
            events = self.assistant.stream_revision(record.section, message, drafter, doc_ids=doc_ids)
            verb = "Revised"
        for event in events:
            if event.kind in ("text", "restart"):
                yield ChatEvent(event.kind, event.text)
            elif event.kind == "error":
                reply = f"Sorry, that failed: {event.text}. Nothing was changed; try again, or try the offline drafter."
                self._add_message(plan_id, theme_id, "assistant", reply)
                yield ChatEvent("error", reply, record)
            else:
                section = event.section
                unchanged = same_text(record.section, section)
                reply = self._reply(verb, section, record.section, message)
                with self.db.write() as db:
                    if not unchanged:  # a copy of the current text is no new version
                        hand = not redraft and self._hand_edited(db, plan_id, theme_id)
                        self._save_version(db, plan_id, section, "draft" if redraft else "revision", user, message, hand)
                    self._add_message(plan_id, theme_id, "assistant", reply, db=db)
                yield ChatEvent("done", reply, self.section(user, plan_id, theme_id))

    def _used_elsewhere(self, user: str, plan_id: str, theme_id: str) -> set[str]:
        """Sentences already in the plan's other sections, so two sections never say the same thing."""
        return {normalise(s.text) for r in self.sections(user, plan_id) if r.section and r.theme_id != theme_id
                for s in r.section.sentences}

    def _reply(self, verb: str, section: Section, before: Section | None, message: str) -> str:
        """The chat's answer: a first draft in full; after that only what changed, sentence by sentence."""
        from assistant.render import section_body

        cited = {n for s in section.sentences for n in s.citations}
        if before is not None and same_text(before, section):
            return (f"Nothing changed: the {section.drafter} drafter found nothing to do for “{message[:80]}”. "
                    "Try “shorter”, “add the SEND pressures”, or edit the text yourself.")
        lines = [
            f"{verb} with the {section.drafter} drafter: {len(section.sentences)} sentences citing {len(cited)} passages, "
            f"{section.tokens} of {section.allowance} tokens.",
            "",
            *(changes_markdown(sentence_changes(before, section)) if before is not None
              else [section_body(section) or "_(nothing in the corpus supports this section yet)_"]),
        ]
        if section.gaps:
            lines += ["", "**Evidence gaps** (add a document that answers these, or write them yourself):"]
            lines += [f"- {g.question}" for g in section.gaps]
        # A model endpoint that failed is the officer's news, not a verification change: say it first.
        fallback = list(dict.fromkeys(fallback_notes(section)))
        if fallback:
            lines[1:1] = ["", *fallback, "The offline draft is cited and verified like any other; ask again later to use the model."]
        changes = len(section.notes) - sum(n in fallback for n in section.notes)
        if changes:
            lines += ["", f"Verification made {changes} change(s); see the notes under the section."]
        return "\n".join(lines)

    def edit(self, user: str, plan_id: str, theme_id: str, text: str) -> SectionRecord:
        record = self.section(user, plan_id, theme_id)
        if record.locked:
            raise WorkspaceError(f"\u201c{record.title}\u201d is accepted and locked. Reopen it to edit it.")
        if record.section is None:
            raise WorkspaceError("Draft the section first: an edit is checked against the section's evidence.")
        edited = self.assistant.edit_section(record.section, text)
        if same_text(record.section, edited):
            return record  # saved as it was: no new version, and no edit of the officer's to protect
        changes = sentence_changes(record.section, edited)
        with self.db.write() as db:
            self._save_version(db, plan_id, edited, "edit", user, hand_edited=True)
            self._add_message(plan_id, theme_id, "user", f"(edited the section text directly: {len(changes.added)} sentence(s) "
                              f"added or reworded, {len(changes.removed)} removed)", db=db)
        return self.section(user, plan_id, theme_id)

    def accept(self, user: str, plan_id: str, theme_id: str) -> SectionRecord:
        """Accept and lock a section: only a clean one, since the plan goes to members as it stands."""
        record = self.section(user, plan_id, theme_id)
        if record.section is None or not record.section.sentences:
            raise WorkspaceError("There is nothing to accept: draft the section first.")
        problems = [s for s in record.section.sentences if {FLAG_NUMBER, FLAG_NO_CITATION} & set(s.flags)]
        if problems:
            raise WorkspaceError(
                f"{len(problems)} sentence(s) have a figure their sources do not hold, or no citation. "
                "Fix or cite them (see Review), then accept."
            )
        rejected = [r for r in self.review(user, plan_id, theme_id=theme_id) if r.decision == "rejected"]
        if rejected:
            raise WorkspaceError(
                f"A reviewer rejected {len(rejected)} sentence(s) of this section (sentence {', '.join(str(r.index) for r in rejected)}). "
                "Revise or remove them (or ask the reviewer to reconsider), then accept."
            )
        if record.section.tokens > record.section.allowance:
            raise WorkspaceError(
                f"The section is {record.section.tokens} tokens, over its {record.section.allowance}-token allowance. "
                "Ask for it shorter, or edit it down, then accept."
            )
        self._save_section(plan_id, record.section, status="accepted")
        return self.section(user, plan_id, theme_id)

    def reopen(self, user: str, plan_id: str, theme_id: str) -> SectionRecord:
        record = self.section(user, plan_id, theme_id)
        if record.section is not None:
            self._save_section(plan_id, record.section, status="drafted")
        return self.section(user, plan_id, theme_id)

    # -- export ------------------------------------------------------------------------------
    def _export_path(self, user: str, plan_id: str, out_dir: Path, suffix: str) -> Path:
        summary = self.plan_summary(user, plan_id)
        stem = re.sub(r"[^A-Za-z0-9]+", "-", summary.title).strip("-").lower()[:60] or "plan"
        return out_dir / f"{stem}{suffix}"

    def export_markdown(self, user: str, plan_id: str, out_dir: Path) -> Path:
        """The plan as Markdown: a DRAFT banner and summary unless every section is accepted and nothing is flagged."""
        return exports.write_markdown(self, user, plan_id, self._export_path(user, plan_id, out_dir, ".md"))

    def export_docx(self, user: str, plan_id: str, out_dir: Path):
        """The DOCX (marked DRAFT unless it is the finished plan) and its page check (LibreOffice where installed)."""
        return exports.write_docx(self, user, plan_id, self._export_path(user, plan_id, out_dir, ".docx"))

    def release(self, user: str, plan_id: str):
        """Whether an export now would be the plan or a draft, and what is outstanding (assistant/release.py)."""
        return exports.release(self, user, plan_id)

    # -- about -------------------------------------------------------------------------------
    def drafter_banner(self) -> str:
        settings = self.assistant.settings
        if resolve_drafter_name(settings, None) != "offline":
            # The drafter says which model drafts and where (the address only: never the key).
            return f"Drafting with {self.assistant.drafter().describe()}; every sentence is verified against its sources."
        # Read by officers on the first screen: what the drafter does, not which settings would change it
        # (README.md, "Drafting with a model", is where whoever runs the app finds those).
        return ("Drafting offline: every sentence is taken from the council's own documents and cited. "
                "Your IT team can connect a language model to write the draft in its own words.")
