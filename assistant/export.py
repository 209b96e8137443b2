"""Export stage: a Plan as Markdown (for people) or JSON (for tools and the evals).

Citations are renumbered plan-wide and merged per place (assistant/references.py),
so a passage cited by two sections has one number and one entry in the references.
A Markdown export that is not the finished plan (assistant/release.py) opens with a
DRAFT banner and its summary, and marks each flagged or rejected sentence with why.
"""

from __future__ import annotations

import json

from assistant.records import Plan, Section
from assistant.references import NumberedPlan, number_citations, reference_text  # noqa: F401 - the exports' API
from assistant.release import Release, release_state
from assistant.render import paragraph_runs, paragraph_text, section_body, sentence_with_markers
from assistant.templates import PlanTemplate


def _banner(release: Release) -> str:
    lines = [f"> **DRAFT \u2014 not the final plan.** {release.council}, {release.version_label()}, {release.date_label()}."]
    lines += [f"> - {line}" for line in release.summary_lines()]
    return "\n".join(lines)


def _section_markdown(section: Section, heading: str, numbers: dict[int, int], marks: dict) -> str:
    paragraphs = []
    index = {id(s): i for i, s in enumerate(section.sentences, 1)}

    def marked(sentence) -> str:
        text = sentence_with_markers(sentence, numbers)
        reasons = marks.get((section.theme_id, index[id(sentence)]))
        return f"**\u26a0 {text}** _({'; '.join(dict.fromkeys(reasons))})_" if reasons else text

    for para in section.paragraphs():
        paragraphs.append(paragraph_text([(is_list, [marked(s) for s in run]) for is_list, run in paragraph_runs(para)]))
    body = "\n\n".join(paragraphs)
    return f"## {heading}\n\n{body}" if body else f"## {heading}"


def plan_markdown(plan: Plan, template: PlanTemplate, release: Release | None = None) -> str:
    """The plan as Markdown. Without a `release` nothing is known to be accepted, so it is a draft."""
    release = release or release_state(plan, template)
    numbered = number_citations(plan)
    parts = [_banner(release)] if release.is_draft else []
    parts.append(f"# {plan.title}")
    marks = release.marks()
    for section in plan.sections:
        heading = template.theme(section.theme_id).heading
        parts.append(_section_markdown(section, heading, numbered.numbers[section.theme_id], marks))
        if section.gaps:
            gaps = "\n".join(f"> - {g.question}" for g in section.gaps)
            parts.append(f"> **Evidence gaps** (no passage in the corpus answers these; add a document or write them yourself):\n{gaps}")
    if numbered.references:
        heading = ("## References" if template.references.counts_towards_limit
                   else f"## Annex: references (not counted in the {template.page_limit}-page limit)")
        parts.append(heading + "\n\n" + "\n".join(f"{i}. {reference_text(e)}" for i, e in enumerate(numbered.references, 1)))
    return "\n\n".join(parts) + "\n"


def section_json(section: Section, heading: str) -> dict:
    evidence = section.evidence_by_number()
    return {
        "theme_id": section.theme_id,
        "title": section.title,
        "heading": heading,
        "drafter": section.drafter,
        "text": section_body(section),
        "tokens": section.tokens,
        "allowance": section.allowance,
        "gaps": [{"question_id": g.question_id, "question": g.question, "reason": g.reason, "score": g.score} for g in section.gaps],
        "notes": section.notes,
        "sentences": [
            {
                "text": s.text,
                "paragraph": s.paragraph,
                "list_item": s.list_item,
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
        "council": plan.council,
        "page_limit": plan.page_limit,
        "tokens_per_page": plan.tokens_per_page,
        "budget_tokens": template.budget_tokens,
        "total_tokens": plan.total_tokens,
        "sections": [section_json(s, template.theme(s.theme_id).heading) for s in plan.sections],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
