"""The drafter interface and what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol

from assistant.records import Evidence, Section
from assistant.templates import Theme

if TYPE_CHECKING:
    from assistant.assess import ThemeAssessment


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
    # The assess stage's verdict per guidance question (assistant/assess.py), set by the API
    # before drafting; a drafter given a request without one assesses it itself.
    assessment: "ThemeAssessment | None" = None
    # For a revision to a length (the budget stage asking a model drafter to shorten): the words to aim at.
    target_words: int | None = None
    # Tokens each distinct reference the section cites costs (one printed line), when the
    # template counts the references list towards the page limit; 0 when it does not.
    reference_line_tokens: int = 0

    def evidence_by_number(self) -> dict[int, Evidence]:
        return {e.number: e for e in self.evidence}


def assess_request(request: DraftRequest, embedder, tuning) -> "ThemeAssessment":
    """The request's assessment, made once: the API's, or the drafter's own when it was called directly."""
    if request.assessment is None:
        from assistant.assess import Assessor

        theme = request.theme
        request.assessment = Assessor(embedder, tuning).assess(
            theme.questions, request.evidence, request.by_question, request.exclude, [theme.title, theme.heading])
    return request.assessment


# When a model endpoint fails, the offline drafter stands in and its section says so with one
# of these notes. They are the officer's business, not the reviewer's: the chat reply shows them.
# The key a revision request files its instruction's passages under in `by_question`, and the question id its
# sentences carry: a revision answers the officer's instruction, not a guidance question.
REVISION = "revision"
FALLBACK_DRAFTER = "offline (fallback)"
DRAFTED_OFFLINE = "Drafted offline instead"
REVISED_OFFLINE = "Revised offline instead"


def fallback_notes(section: Section) -> list[str]:
    """The notes saying the model endpoint failed and the offline drafter was used."""
    return [n for n in section.notes if n.startswith((DRAFTED_OFFLINE, REVISED_OFFLINE))]


@dataclass(frozen=True)
class Capabilities:
    """What a drafter can do, so the core asks instead of branching on drafter names."""

    # Writes new prose, so a revision can be asked for a length (`DraftRequest.target_words`); a drafter that
    # only selects sentences is trimmed by the budget stage instead.
    rewrites_to_length: bool = False
    # Drafts sections independently, so several can be drafted at once; otherwise sections are drafted in turn
    # and each excludes the sentences already used in the plan.
    drafts_in_parallel: bool = False
    # Its sentences can be wrong about their sources (a model's): a question whose every sentence verification
    # removes falls back to the offline drafter's sentences for it.
    needs_offline_fallback: bool = False


OFFLINE_CAPABILITIES = Capabilities()
MODEL_CAPABILITIES = Capabilities(rewrites_to_length=True, drafts_in_parallel=True, needs_offline_fallback=True)


class Drafter(Protocol):
    name: str
    capabilities: Capabilities

    def draft(self, request: DraftRequest) -> Section: ...

    def revise(self, request: DraftRequest) -> Section: ...

    def target_words(self, request: DraftRequest) -> int:
        """How many words fit the request's allowance (used with `rewrites_to_length`)."""
        ...

    def describe(self) -> str:
        """Which drafter, and for a model which model where, for the banner."""
        ...
