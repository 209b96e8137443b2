"""Budget stage: token counts against the page limit, and fitting a section to its allowance.

Counts are tiktoken cl100k_base over the section exactly as rendered (heading,
paragraphs, citation markers). Pages are estimated from the template's
tokens-per-page figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.records import Plan, Section
from assistant.render import section_markdown
from assistant.templates import PlanTemplate
from assistant.tokens import count_tokens


def section_tokens(section: Section, heading: str) -> int:
    return count_tokens(section_markdown(section, heading))


def fit_section(section: Section, heading: str, allowance: int) -> Section:
    """Drop the least-supported sentences (latest first among equals) until the section fits.

    Deterministic, so the same draft always trims the same way; what was dropped is noted.
    """
    tokens = section_tokens(section, heading)
    while tokens > allowance and section.sentences:
        worst = min(
            range(len(section.sentences)),
            key=lambda i: (section.sentences[i].support if section.sentences[i].support is not None else 1.0, -i),
        )
        dropped = section.sentences.pop(worst)
        section.notes.append(f"trimmed to fit the {allowance}-token allowance: \u201c{dropped.text[:80]}\u201d")
        tokens = section_tokens(section, heading)
    section.tokens = tokens
    section.allowance = allowance
    return section


@dataclass
class BudgetLine:
    theme_id: str
    title: str
    tokens: int
    allowance: int
    pages: float

    @property
    def over(self) -> bool:
        return self.tokens > self.allowance


def plan_budget(plan: Plan, template: PlanTemplate) -> tuple[list[BudgetLine], int, float]:
    """Per-section lines, total tokens (title included) and total estimated pages."""
    lines = [
        BudgetLine(s.theme_id, s.title, s.tokens, s.allowance, s.tokens / template.tokens_per_page) for s in plan.sections
    ]
    total = count_tokens(f"# {plan.title}") + sum(line.tokens for line in lines)
    return lines, total, total / template.tokens_per_page
