"""Export stage: a Plan as Markdown (for people) or JSON (for tools and the evals).

Citations are numbered per section while drafting (each section has its own
evidence list); the Markdown export renumbers them plan-wide, so a passage cited
by two sections has one number and one entry in the references.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.records import Evidence, Plan, Section
from assistant.render import section_markdown, sentence_with_markers
from assistant.templates import PlanTemplate


@dataclass
class NumberedPlan:
    """A plan's citations renumbered plan-wide: per section, local number -> plan number; and the references."""

    numbers: dict[str, dict[int, int]]  # theme_id -> {local: global}
    references: list[Evidence]


def number_citations(plan: Plan) -> NumberedPlan:
    global_number: dict[str, int] = {}
    references: list[Evidence] = []
    numbers: dict[str, dict[int, int]] = {}
    for section in plan.sections:
        local_to_global = numbers.setdefault(section.theme_id, {})
        evidence = section.evidence_by_number()
        for sentence in section.sentences:
            for n in sentence.citations:
                chunk_id = evidence[n].chunk_id
                if chunk_id not in global_number:
                    global_number[chunk_id] = len(global_number) + 1
                    references.append(evidence[n])
                local_to_global[n] = global_number[chunk_id]
    return NumberedPlan(numbers, references)


def reference_text(e: Evidence) -> str:
    return f"{e.location()} ({Path(e.source).name})"


def plan_markdown(plan: Plan, template: PlanTemplate) -> str:
    numbered = number_citations(plan)
    parts = [f"# {plan.title}"]
    for section in plan.sections:
        parts.append(section_markdown(section, template.theme(section.theme_id).heading, numbered.numbers[section.theme_id]))
        if section.gaps:
            gaps = "\n".join(f"> - {g.question}" for g in section.gaps)
            parts.append(f"> **Evidence gaps** (no passage in the corpus answers these; add a document or write them yourself):\n{gaps}")
    if numbered.references:
        parts.append("## References\n\n" + "\n".join(f"{i}. {reference_text(e)}" for i, e in enumerate(numbered.references, 1)))
    return "\n\n".join(parts) + "\n"


def section_json(section: Section, heading: str) -> dict:
    evidence = section.evidence_by_number()
    return {
        "theme_id": section.theme_id,
        "title": section.title,
        "heading": heading,
        "drafter": section.drafter,
        "text": "\n\n".join(" ".join(sentence_with_markers(s) for s in para) for para in section.paragraphs()),
        "tokens": section.tokens,
        "allowance": section.allowance,
        "gaps": [{"question_id": g.question_id, "question": g.question, "reason": g.reason, "score": g.score} for g in section.gaps],
        "notes": section.notes,
        "sentences": [
            {
                "text": s.text,
                "paragraph": s.paragraph,
                "question_id": s.question_id,
                "support": s.support,
                "flags": s.flags,
                "citations": [
                    {
                        "number": n,
                        "source": evidence[n].source,
                        "title": evidence[n].title,
                        "page": evidence[n].page,
                        "heading": evidence[n].heading,
                        "chunk_id": evidence[n].chunk_id,
                        "passage": evidence[n].text,
                    }
                    for n in s.citations
                ],
            }
            for s in section.sentences
        ],
        "evidence": [
            {"number": e.number, "chunk_id": e.chunk_id, "title": e.title, "source": e.source, "page": e.page, "score": round(e.score, 5)}
            for e in section.evidence
        ],
    }


def plan_json(plan: Plan, template: PlanTemplate) -> str:
    data = {
        "template_id": plan.template_id,
        "title": plan.title,
        "page_limit": plan.page_limit,
        "tokens_per_page": plan.tokens_per_page,
        "budget_tokens": template.budget_tokens,
        "total_tokens": plan.total_tokens,
        "sections": [section_json(s, template.theme(s.theme_id).heading) for s in plan.sections],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
