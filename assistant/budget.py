"""Budget stage: token counts against the page limit, and fitting a section to its allowance.

Counts are tiktoken cl100k_base over the section exactly as rendered (heading,
paragraphs, citation markers), plus, when the template counts the references list
towards the page limit, one printed line for each reference the section cites
(`References.line_tokens`: a reference is one line whatever its length). Tokens size
the allowances; pages are what the export prints, from the layout model fitted on
LibreOffice renders of the DOCX (assistant/layout.py, docs/pages.md), so the meter,
`assistant draft`'s table and the export's page check agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import layout
from assistant.records import Plan, Section
from assistant.references import number_citations, section_reference_keys
from assistant.render import section_body, section_markdown
from assistant.templates import PlanTemplate
from assistant.tokens import count_tokens

# The references heading (a Heading 1 with its spacing) is as tall as this many reference lines.
REFERENCES_HEADING_LINES = round(layout.REFERENCES_HEADING / layout.REFERENCE_LINE)


def reference_line_tokens(template: PlanTemplate) -> int:
    """What one reference line costs a section: a line's worth of tokens when references count, else nothing."""
    return template.references.line_tokens if template.references.counts_towards_limit else 0


def section_tokens(section: Section, heading: str, line_tokens: int = 0) -> int:
    """The section's text as printed, plus `line_tokens` for each distinct reference it cites."""
    return count_tokens(section_markdown(section, heading)) + line_tokens * len(section_reference_keys(section))


def fit_section(section: Section, heading: str, allowance: int, line_tokens: int = 0) -> Section:
    """Drop the least-supported sentences (latest first among equals) until the section fits.

    Deterministic, so the same draft always trims the same way; what was dropped is noted.
    """
    tokens = section_tokens(section, heading, line_tokens)
    while tokens > allowance and section.sentences:
        worst = min(
            range(len(section.sentences)),
            key=lambda i: (section.sentences[i].support if section.sentences[i].support is not None else 1.0, -i),
        )
        dropped = section.sentences.pop(worst)
        section.notes.append(f"trimmed to fit the {allowance}-token allowance: \u201c{dropped.text[:80]}\u201d")
        tokens = section_tokens(section, heading, line_tokens)
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
    text_tokens: int = 0  # the section's own text, without its references' lines

    @property
    def over(self) -> bool:
        return self.tokens > self.allowance


@dataclass
class PlanBudget:
    """What the export prints, in tokens and pages: title, sections, and the references list."""

    lines: list[BudgetLine]
    title_tokens: int
    references: int  # entries in the plan-wide list, after merging
    reference_tokens: int  # the list's height (heading included) in tokens of body text
    references_counted: bool  # False: the list is an annex outside the page limit
    tokens_per_page: int
    page_limit: int
    budget_tokens: int = field(default=0)
    title_pages: float = 0.0
    references_pages: float = 0.0

    @property
    def counted_tokens(self) -> int:
        """Tokens against the page limit: the title, the sections' text and, when counted, the references list."""
        text = self.title_tokens + sum(line.text_tokens for line in self.lines)
        return text + (self.reference_tokens if self.references_counted else 0)

    @property
    def pages(self) -> float:
        """Pages the export prints against the limit (the layout model, not tokens / tokens-per-page)."""
        text = self.title_pages + sum(line.pages for line in self.lines)
        return text + (self.references_pages if self.references_counted else 0.0)

    @property
    def annex_pages(self) -> float:
        return 0.0 if self.references_counted else self.references_pages

    @property
    def over(self) -> bool:
        return self.pages > self.page_limit or self.counted_tokens > self.budget_tokens or any(line.over for line in self.lines)

    def references_note(self) -> str:
        """What the meter says about the references list: counted, or an annex outside the limit."""
        if not self.references:
            return "no references yet"
        entries = f"{self.references} reference{'s' if self.references != 1 else ''}, one line each"
        if self.references_counted:
            return f"{entries}: counted in the page limit ({self.references_pages:.2f} p)"
        return f"{entries}: printed as an annex after the plan, not counted ({self.annex_pages:.2f} p)"


def plan_pages(plan: Plan, template: PlanTemplate) -> PlanBudget:
    """The plan's budget as the export will print it, recounted from the sections (stored counts may predate a change)."""
    line_tokens = reference_line_tokens(template)
    numbered = number_citations(plan)
    lines = []
    for s in plan.sections:
        heading = template.theme(s.theme_id).heading
        text = count_tokens(section_markdown(s, heading))
        tokens = text + line_tokens * len(section_reference_keys(s))
        pages = layout.section_pages(section_body(s, numbered.numbers.get(s.theme_id)))
        lines.append(BudgetLine(s.theme_id, s.title, tokens, template.allowance(s.theme_id), pages, text_tokens=text))
    references = len(numbered.references)
    height = template.references.line_tokens * (references + REFERENCES_HEADING_LINES) if references else 0
    return PlanBudget(lines, count_tokens(f"# {plan.title}"), references, height, template.references.counts_towards_limit,
                      template.tokens_per_page, template.page_limit, template.budget_tokens, layout.TITLE,
                      layout.references_pages(references))


def plan_budget(plan: Plan, template: PlanTemplate) -> tuple[list[BudgetLine], int, float]:
    """Per-section lines, total tokens against the limit (title and counted references included) and pages."""
    budget = plan_pages(plan, template)
    return budget.lines, budget.counted_tokens, budget.pages
