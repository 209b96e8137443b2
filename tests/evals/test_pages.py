"""Page limit: the page meter against the exported DOCX as LibreOffice renders it, on every eval dataset."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.budget import plan_pages
from assistant.config import Settings
from assistant.export_docx import libreoffice_binary
from assistant.records import Plan, Sentence
from assistant.templates import load_template
from evals.metrics.pages import METER_TOLERANCE, page_scores

from ..conftest import make_settings
from .conftest import AGENCY, section

needs_libreoffice = pytest.mark.skipif(libreoffice_binary() is None,
                                       reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui)")


def _plan(n_sentences: int) -> tuple[Plan, object]:
    template = load_template(Settings().prompts_dir, "productivity_plan")
    sections = []
    for theme in template.themes:
        s = section([Sentence(AGENCY, [1]) for _ in range(n_sentences)], AGENCY, theme_id=theme.id)
        s.title = theme.title
        sections.append(s)
    plan = Plan(template.id, template.title, sections, template.page_limit, template.tokens_per_page)
    return plan, template


def test_estimate_without_rendering():
    plan, template = _plan(2)
    scores = page_scores(plan, template, render=False)
    assert scores.estimated_pages == round(plan_pages(plan, template).pages, 2) and scores.within_budget
    assert scores.rendered_pages is None and scores.meter_error is None and "not rendered" in scores.renderer
    assert "counted in the page limit" in scores.references


@needs_libreoffice
def test_rendered_pages_grow_with_the_text():
    short, template = _plan(1)
    long, _ = _plan(12)
    a, b = page_scores(short, template), page_scores(long, template)
    assert a.renderer == b.renderer == "libreoffice"
    assert a.rendered_pages == 1 and 0 < a.rendered_fraction < 1
    assert b.rendered_pages > a.rendered_pages and b.rendered_fraction > a.rendered_fraction
    assert a.meter_agrees and b.meter_agrees, (a, b)
    measured = b.measured_tokens_per_page
    assert measured > 0 and b.tokens_per_page_error == round((600 - measured) / measured, 3)


def _assert_meter_agrees(name: str, plan, template) -> None:
    scores = page_scores(plan, template)
    assert scores.renderer == "libreoffice", scores.renderer
    assert abs(scores.meter_error) <= METER_TOLERANCE, (name, scores.estimated_pages, scores.rendered_fraction)
    assert scores.rendered_pages <= template.page_limit, (name, scores)


@needs_libreoffice
def test_meter_agrees_with_the_render_on_the_sample_and_injection_corpora(corpus_plan, corpus_assistant, tmp_path_factory):
    from evals.data import load_dataset

    _assert_meter_agrees("corpus", corpus_plan, corpus_assistant.template)
    dataset = load_dataset("injection", corpus_assistant.template)
    injected = Assistant(make_settings(tmp_path_factory.mktemp("injection-store")))
    assert injected.ingest(dataset.folders).ok
    _assert_meter_agrees("injection", injected.draft_plan(), injected.template)


@needs_libreoffice
def test_meter_agrees_with_the_render_on_the_seed_reports(seeds_dir, tmp_path_factory):
    seeds = Assistant(make_settings(tmp_path_factory.mktemp("seeds-pages")))
    assert seeds.ingest([seeds_dir]).ok
    _assert_meter_agrees("seeds", seeds.draft_plan(), seeds.template)


@needs_libreoffice
def test_meter_agrees_with_the_render_for_every_real_council(realworld_plans):
    for council_id, (_, assistant, plan) in realworld_plans.items():
        _assert_meter_agrees(council_id, plan, assistant.template)
