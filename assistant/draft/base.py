"""The drafter interface and what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from assistant.records import Evidence, Section
from assistant.templates import Theme


@dataclass
class DraftRequest:
    theme: Theme
    heading: str
    evidence: list[Evidence]  # numbered 1..n, the only material the draft may use
    by_question: dict[str, list[int]]  # guidance question id -> evidence numbers, best first
    allowance: int  # tokens for the whole section, heading included
    # Sentences (normalised) already used elsewhere in the plan, not to be repeated.
    exclude: set[str] = field(default_factory=set)
    plan_title: str = "plan"
    # For a revision: the section as it stands and what the officer asked for.
    current: Section | None = None
    instruction: str = ""
    # Streaming: called with each piece of text as it arrives, and when a retry restarts it.
    on_text: Callable[[str], None] | None = None
    on_restart: Callable[[], None] | None = None


# When a model endpoint fails, the offline drafter stands in and its section says so with one
# of these notes. They are the officer's business, not the reviewer's: the chat reply shows them.
FALLBACK_DRAFTER = "offline (fallback)"
DRAFTED_OFFLINE = "Drafted offline instead"
REVISED_OFFLINE = "Revised offline instead"


def fallback_notes(section: Section) -> list[str]:
    """The notes saying the model endpoint failed and the offline drafter was used."""
    return [n for n in section.notes if n.startswith((DRAFTED_OFFLINE, REVISED_OFFLINE))]


class Drafter(Protocol):
    name: str

    def draft(self, request: DraftRequest) -> Section: ...

    def revise(self, request: DraftRequest) -> Section: ...
