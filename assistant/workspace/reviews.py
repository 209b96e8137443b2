"""The review desk of the workspace: each sentence beside its passages, a reviewer's decisions, the CSV.

A mixin of `Workspace` (it uses the workspace's sections and database), kept apart so each
module stays readable. Decisions are keyed by the sentence's normalised text within its
section (`review.sentence_key`), so they follow a sentence across versions while its words stay.
"""

from __future__ import annotations

from pathlib import Path

from assistant.review import DECISIONS, ReviewRow, review_csv, review_rows
from assistant.workspace.db import now
from assistant.workspace.errors import WorkspaceError


class ReviewDesk:
    """The Workspace's review methods (a mixin: it uses the workspace's sections and database)."""

    def review(self, user: str, plan_id: str, flagged_only: bool = False, theme_id: str | None = None) -> list[ReviewRow]:
        sections = [r.section for r in self.sections(user, plan_id) if r.section and (theme_id in (None, r.theme_id))]
        with self.db.read() as db:
            decisions = {r["sentence_key"]: dict(r) for r in db.execute("SELECT * FROM reviews WHERE plan_id = ?", (plan_id,))}
        rows = review_rows(sections, decisions)
        return [r for r in rows if r.flagged] if flagged_only else rows

    def decide(self, user: str, plan_id: str, key: str, decision: str, comment: str = "") -> ReviewRow:
        if decision not in DECISIONS:
            raise WorkspaceError(f"A decision is one of {', '.join(DECISIONS)}.")
        self.review_row(user, plan_id, key)
        with self.db.write() as db:
            db.execute(
                "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(plan_id, sentence_key) DO UPDATE SET "
                "decision = excluded.decision, comment = excluded.comment, reviewer = excluded.reviewer, updated_at = excluded.updated_at",
                (plan_id, key, decision, (comment or "").strip()[:2000], user, now()),
            )
        return self.review_row(user, plan_id, key)

    def review_row(self, user: str, plan_id: str, key: str) -> ReviewRow:
        """One sentence's row with its current decision and comment (what the reviewer sees on choosing it)."""
        row = next((r for r in self.review(user, plan_id) if r.key == key), None)
        if row is None:
            raise WorkspaceError("That sentence is no longer in the plan (it was revised); refresh the review.")
        return row

    def next_flagged(self, user: str, plan_id: str, after_key: str | None) -> ReviewRow | None:
        """The flagged sentence to review after `after_key`, in plan order, wrapping round: one still pending
        if there is any, else the next flagged one; None when nothing else is flagged."""
        rows = self.review(user, plan_id)
        start = next((i + 1 for i, r in enumerate(rows) if r.key == after_key), 0)
        ordered = [r for r in rows[start:] + rows[:start] if r.flagged and r.key != after_key]
        return next((r for r in ordered if r.decision == "pending"), ordered[0] if ordered else None)

    def export_review_csv(self, user: str, plan_id: str, out_dir: Path, flagged_only: bool = False) -> Path:
        """The review as CSV: the rows the reviewer is looking at (all, or only the flagged ones)."""
        path = self._export_path(user, plan_id, out_dir, "-flagged-review.csv" if flagged_only else "-review.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = self.review(user, plan_id, flagged_only=flagged_only)
        path.write_text(review_csv(rows), encoding="utf-8-sig")  # BOM: Excel reads £ right
        return path

