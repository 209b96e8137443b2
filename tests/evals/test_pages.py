"""Page limit: tokens against the budget, and the exported DOCX rendered by LibreOffice."""

from __future__ import annotations

import pytest
from docx import Document

from assistant.export_docx import libreoffice_binary, plan_docx
from assistant.records import Plan, Sentence
from assistant.templates import load_template
from assistant.config import Settings
from evals.metrics.pages import body_only, page_scores

from .conftest import AGENCY, section


def _plan(n_sentences: int) -> tuple[Plan, object]:
    template = load_template(Settings().prompts_dir, "productivity_plan")
    sections = []
    for theme in template.themes:
        s = section([Sentence(AGENCY, [1]) for _ in range(n_sentences)], AGENCY, theme_id=theme.id)
        s.title = theme.title
        sections.append(s)
    plan = Plan(template.id, template.title, sections, template.page_limit, template.tokens_per_page, total_tokens=40 * n_sentences * 4)
    return plan, template


def test_estimate_without_rendering():
    plan, template = _plan(2)
    scores = page_scores(plan, template, render=False)
    assert scores.estimated_pages == round(plan.total_tokens / 600, 2) and scores.within_budget
    assert scores.rendered_pages is None and "not rendered" in scores.renderer


def test_body_only_drops_the_references(tmp_path):
    plan, template = _plan(1)
    full = plan_docx(plan, template, tmp_path / "plan.docx")
    body = body_only(full, tmp_path / "body.docx")
    texts = [p.text for p in Document(str(body)).paragraphs]
    assert "References" in [p.text for p in Document(str(full)).paragraphs] and "References" not in texts
    assert texts[0] == "Productivity Plan" and any("£1.1 million" in t for t in texts)


@pytest.mark.skipif(libreoffice_binary() is None, reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
def test_rendered_pages_grow_with_the_text():
    short, template = _plan(1)
    long, _ = _plan(12)
    a, b = page_scores(short, template), page_scores(long, template)
    assert a.renderer == b.renderer == "libreoffice"
    assert a.rendered_pages == 1 and 0 < a.rendered_fraction < 1
    assert b.rendered_pages > a.rendered_pages and b.rendered_fraction > a.rendered_fraction
    measured = b.measured_tokens_per_page
    assert measured > 0 and b.tokens_per_page_error == round((600 - measured) / measured, 3)
