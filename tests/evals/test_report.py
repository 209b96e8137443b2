"""The report on a small hand-built plan: every metric measured, Markdown tables and the PNG chart written."""

from __future__ import annotations

from assistant.config import Settings
from assistant.records import Gap, Plan, Sentence
from assistant.templates import load_template
from evals.checks import check_thresholds
from evals.data import JudgePair, PassageLabel, load_dataset
from evals.judges import validate
from evals.report import chart, markdown, summary
from evals.run import measure_plan

from .conftest import AGENCY, CONSULTANTS, section


def test_report_from_measured_plan(tmp_path, offline_judge):
    template = load_template(Settings().prompts_dir, "productivity_plan")
    sections = []
    for theme in template.themes:
        s = section([Sentence(AGENCY, [1], question_id=theme.questions[0].id),
                     Sentence("Spend on consultants was £358,000 in 2023/24.", [2], question_id=theme.questions[0].id)],
                    AGENCY, CONSULTANTS, theme_id=theme.id, gaps=[Gap(theme.questions[-1].id, "q")])
        s.title, s.tokens, s.allowance = theme.title, 90, template.allowance(theme.id)
        sections.append(s)
    plan = Plan(template.id, template.title, sections, template.page_limit, template.tokens_per_page, total_tokens=380)
    data = measure_plan(plan, {}, template, load_dataset("corpus", template), offline_judge, trusted=True, render=False)
    assert data["figures"]["fidelity"] == 20 / 24  # 6 figures a section; £358,000 is not the source's £385,000
    assert data["citations"]["after_verification"]["recall"] == 0.5
    wasteful = next(t for t in data["coverage"]["themes"] if t["theme_id"] == "wasteful_spend")
    assert wasteful["questions"][0]["verdict"] == "covered"  # t3_consultants: the agency spend key point

    claim = "Spend on agency staff fell to £1.1 million in 2023/24."
    pair = JudgePair("p", "corpus", PassageLabel("x", "y"), claim, True, "paraphrase", "heldout")
    validation = validate(offline_judge, [(pair, AGENCY)], 0.85, 0.85)
    result = {"drafter": "offline", "judge": "offline", "endpoint": None, "template": template.id, "skipped": {},
              "judges": {"offline": validation.to_dict()}, "datasets": {"corpus": data}, "thresholds_file": "evals/thresholds.yaml",
              "seconds": 1.0}
    result["checks"] = check_thresholds(result, {"datasets": {"corpus": {"offline": {"number_fidelity": 1.0, "coverage": 0.1}}}})
    result["passed"] = all(c["ok"] for c in result["checks"])
    assert not result["passed"]  # number fidelity 75% < 100%

    chart(result, tmp_path / "eval.png")
    text = markdown(result, "eval.png")
    assert (tmp_path / "eval.png").stat().st_size > 10_000
    assert "| Reducing wasteful spend |" in text and "**FAIL**" in text and "358000" in text
    assert "FAILED" in summary(result)
