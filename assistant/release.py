"""Whether an export is the plan or a draft of it, and why: what the exports print about themselves.

A plan leaves as a clean document only when every section of the template is
accepted and no sentence is flagged by verification or rejected by a reviewer.
Anything else is a DRAFT: the exports mark every page and open with a summary of
what is outstanding, so a document that still holds an invented figure can never
pass for the signed-off plan. Plain data, built by the workspace (which knows the
statuses and review decisions) or by the CLI (which has neither: always a draft).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from assistant.records import Plan
from assistant.review import sentence_key
from assistant.templates import PlanTemplate

DEFAULT_COUNCIL = "The Council"


@dataclass
class MarkedSentence:
    """A sentence the export must point out: flagged by verification, or rejected by a reviewer."""

    theme_id: str
    section: str
    index: int  # position in its section, from 1
    text: str
    reasons: list[str]  # the flags, or the reviewer's decision and comment


@dataclass
class Release:
    council: str = DEFAULT_COUNCIL
    version: int = 0  # the workspace's export version of this content; 0 when unversioned (the CLI)
    issued: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    author: str = ""
    not_accepted: list[str] = field(default_factory=list)  # section titles, drafted or not
    flagged: list[MarkedSentence] = field(default_factory=list)
    rejected: list[MarkedSentence] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return bool(self.not_accepted or self.flagged or self.rejected)

    def status_word(self) -> str:
        return "DRAFT" if self.is_draft else "Final"

    def version_label(self) -> str:
        number = f"Version {self.version}" if self.version else "Unversioned"
        return f"{number} ({'draft' if self.is_draft else 'final'})"

    def date_label(self) -> str:
        return f"{self.issued.day} {self.issued:%B %Y}"

    def summary_lines(self) -> list[str]:
        """Why this export is a draft, one line a point, for the first page."""
        lines = []
        if self.not_accepted:
            lines.append(f"Sections not yet accepted ({len(self.not_accepted)}): " + "; ".join(self.not_accepted) + ".")
        if self.flagged:
            lines.append(f"Sentences flagged by verification: {len(self.flagged)} (marked in the text, each with its reason).")
        if self.rejected:
            lines.append(f"Sentences rejected by a reviewer: {len(self.rejected)} (marked in the text, with the reviewer's comment).")
        return lines

    def marks(self) -> dict[tuple[str, int], list[str]]:
        """(theme id, sentence index) -> the reasons to show beside that sentence."""
        out: dict[tuple[str, int], list[str]] = {}
        for m in self.flagged + self.rejected:
            out.setdefault((m.theme_id, m.index), []).extend(m.reasons)
        return out


def release_state(plan: Plan, template: PlanTemplate, statuses: dict[str, str] | None = None,
                  decisions: dict[str, dict] | None = None, council: str = "", version: int = 0,
                  author: str = "") -> Release:
    """The plan's release state. `statuses`: theme id -> empty | drafted | accepted (none known: nothing is
    accepted); `decisions`: review decisions by `review.sentence_key`."""
    statuses = statuses or {}
    decisions = decisions or {}
    release = Release(council=council.strip() or plan.council.strip() or DEFAULT_COUNCIL, version=version, author=author)
    drafted = {s.theme_id: s for s in plan.sections}
    for theme in template.themes:
        if statuses.get(theme.id) != "accepted" or theme.id not in drafted:
            release.not_accepted.append(theme.title)
    for section in plan.sections:
        for index, sentence in enumerate(section.sentences, 1):
            if sentence.flags:
                release.flagged.append(MarkedSentence(section.theme_id, section.title, index, sentence.text,
                                                      list(sentence.flags)))
            decided = decisions.get(sentence_key(section.theme_id, sentence.text), {})
            if decided.get("decision") == "rejected":
                who = f" by {decided['reviewer']}" if decided.get("reviewer") else ""
                comment = f": {decided['comment']}" if decided.get("comment") else ""
                release.rejected.append(MarkedSentence(section.theme_id, section.title, index, sentence.text,
                                                       [f"rejected{who}{comment}"]))
    return release
