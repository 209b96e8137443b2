"""The same pipeline on real council reports (../shared/seeds), when they are present."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.verify import unsupported_figures
from tests.conftest import make_settings

pytestmark = pytest.mark.seeds


@pytest.fixture(scope="module")
def seeds_plan(seeds_dir, tmp_path_factory):
    assistant = Assistant(make_settings(tmp_path_factory.mktemp("seeds-store")))
    report = assistant.ingest([seeds_dir])
    assert report.ok, report.failed
    assert len(report.added) == len(list(seeds_dir.iterdir()))
    return assistant, assistant.draft_plan()


def test_real_reports_draft_into_four_grounded_sections(seeds_plan):
    assistant, plan = seeds_plan
    assert [s.theme_id for s in plan.sections] == [t.id for t in assistant.template.themes]
    assert plan.total_tokens <= assistant.template.budget_tokens
    sentences = [s for sec in plan.sections for s in sec.sentences]
    assert sentences, "the seed reports hold at least some usable sentences"
    for section in plan.sections:
        evidence = section.evidence_by_number()
        for s in section.sentences:
            passage = " ".join(evidence[s.citations[0]].text.split())
            assert s.text in passage
            assert unsupported_figures(s.text, passage) == []


def test_real_reports_furniture_stays_out(seeds_plan):
    _, plan = seeds_plan
    for section in plan.sections:
        for s in section.sentences:
            assert "@" not in s.text and "PRESENT" not in s.text and "Click here" not in s.text
            assert not s.text.lower().startswith(("how you ", "your plans", "the barriers preventing")), "restated questions are not answers"


def test_real_reports_leave_content_questions_as_gaps(seeds_plan):
    """The seeds are covering reports about plans, not plans: most content questions have no answer in them."""
    _, plan = seeds_plan
    gaps = {g.question_id for s in plan.sections for g in s.gaps}
    assert {"t2_ai", "t3_edi", "t2_systems"} <= gaps
