"""Qwen2.5-Coder-1.5B-Instruct behind llama.cpp's OpenAI-compatible server (run by `make test-llm`):
a real chat model whose whole plan must be cited, exact and within budget."""

from __future__ import annotations

import os
import time

import pytest

from assistant.config import PROJECT_ROOT
from assistant.llm.local_models import ensure_model
from assistant.llm.local_server import llama_available, serve
from assistant.sentences import normalise
from assistant.verify import unsupported_figures
from evals.run import RecordingAssistant, evaluate_drafted_plan

pytestmark = [pytest.mark.llm, pytest.mark.skipif(not llama_available(), reason="llama-cpp-python is not installed: run `make test-llm`")]


@pytest.fixture(scope="module")
def qwen_url(tmp_path_factory):
    with serve(ensure_model("qwen"), n_ctx=4096, log_path=tmp_path_factory.mktemp("qwen") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def qwen_plan(qwen_url, corpus_assistant):
    old = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "ASSISTANT_LLM_TIMEOUT")}
    os.environ["OPENAI_BASE_URL"] = qwen_url
    os.environ["ASSISTANT_LLM_TIMEOUT"] = "600"
    try:
        # The eval's assistant keeps each section as the model wrote it, before verification.
        assistant = RecordingAssistant(corpus_assistant.settings.with_(openai_model="local", llm_concurrency=1))
        start = time.perf_counter()
        plan = assistant.draft_plan(drafter="llm")
        return assistant, plan, time.perf_counter() - start
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_qwen_plan_is_cited_exact_and_within_budget(qwen_plan):
    assistant, plan, seconds = qwen_plan
    assert [s.theme_id for s in plan.sections] == [t.id for t in assistant.template.themes]
    assert plan.total_tokens <= assistant.template.budget_tokens
    verbatim = total = 0
    for section in plan.sections:
        assert section.drafter.startswith("llm:"), f"{section.theme_id} fell back: {section.notes}"
        assert section.tokens <= section.allowance
        assert section.sentences, section.theme_id
        evidence = section.evidence_by_number()
        for s in section.sentences:
            assert s.citations, s.text
            cited = " ".join(evidence[n].text for n in s.citations)
            assert unsupported_figures(s.text, cited) == [], s.text
            total += 1
            verbatim += normalise(s.text) in normalise(cited)
    share = verbatim / total
    print(f"qwen plan: {total} sentences, {share:.0%} copied verbatim from their sources, {seconds:.0f} s")
    assert share < 0.75, "the model should write in its own words, not paste the evidence"


def test_qwen_plan_meets_the_llm_eval_thresholds(qwen_plan):
    """The evals' LLM path in CI: the same plan measured (coverage, ALCE citations, figures, pages)
    against evals/thresholds.yaml; the report goes to out/test-output/evals/eval-llm-corpus.md."""
    assistant, plan, _ = qwen_plan
    result = evaluate_drafted_plan(assistant, plan, "corpus", "llm", "local llama.cpp server (qwen2.5-coder-1.5b)",
                                   PROJECT_ROOT / "out" / "test-output" / "evals")
    from evals.report import summary

    print(summary(result))
    assert result["passed"], [c for c in result["checks"] if not c["ok"]]
