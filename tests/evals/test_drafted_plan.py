"""A plan drafted elsewhere (make test-llm's Qwen plan) is measured without drafting it again."""

from __future__ import annotations

import json

from evals.run import RecordingAssistant, evaluate_drafted_plan


def test_a_drafted_plan_is_measured_against_its_thresholds_and_reported(corpus_assistant, tmp_path):
    assistant = RecordingAssistant(corpus_assistant.settings)
    plan = assistant.draft_plan(drafter="offline")
    assert set(assistant.raw_sections) == {s.theme_id for s in plan.sections}  # the drafts before verification

    result = evaluate_drafted_plan(assistant, plan, "corpus", "offline", "none", tmp_path, render=False)
    checks = {c["metric"]: c for c in result["checks"] if c["dataset"] == "corpus"}
    assert checks["number_fidelity"]["ok"] and checks["number_fidelity"]["value"] == 1.0
    assert checks["coverage"]["value"] >= 0.8  # the offline draft answers most of the sample corpus's questions
    assert checks["rendered_pages"]["ok"] is False  # not rendered: a metric with no value never passes
    assert not result["passed"]
    saved = json.loads((tmp_path / "eval-offline-corpus.json").read_text(encoding="utf-8"))
    assert saved["datasets"]["corpus"]["citations"]["after_verification"]
    assert "## Dataset `corpus`" in (tmp_path / "eval-offline-corpus.md").read_text(encoding="utf-8")
