"""The margin a model's answer to a gated question must clear (evals/calibrate_model.py): fitted on labelled gated
questions, judged with councils held out in turn, written into the tuning file in place."""

from __future__ import annotations

import shutil

import yaml

from assistant.config import PROJECT_ROOT
from evals.calibrate_model import GatedAnswer, counts, fit_margin, leave_one_council_out, write_margin


def answer(council: str, expect: str, score: float | None, threshold: float = 1.0, qid: str = "q") -> GatedAnswer:
    return GatedAnswer(council, qid, expect, threshold, [["A sentence.", [1]]] if score is not None else [], [], score)


def test_the_margin_keeps_answers_to_answerable_questions_and_holds_the_gaps():
    # Answers to questions the documents answer score 0.05-0.30 over the threshold, answers to gaps 0.00-0.12 over.
    answers = ([answer("a", "answer", 1.30), answer("b", "answer", 1.25), answer("c", "answer", 1.20)]
               + [answer("a", "gap", 1.00), answer("b", "gap", 1.08), answer("c", "gap", 1.12), answer("c", "gap", None)])
    margin = fit_margin(answers)
    assert 0.12 <= margin < 0.20  # between the highest gap and the lowest answer, in the middle of that run
    assert counts(answers, margin) == {"answerable": 3, "answerable_kept": 3, "gaps": 4, "gaps_held": 4}
    assert counts(answers, 0.0)["gaps_held"] == 1  # the source sentences' threshold lets the padding through


def test_a_said_not_answered_is_never_kept_whatever_the_margin():
    said_no = answer("a", "answer", None)
    assert not said_no.kept(-0.3) and not said_no.right(-0.3)


def test_each_council_is_judged_with_the_margin_fitted_on_the_others():
    # Council "c"'s gap scores like the others' answers: fitted without it, its gap is padded, and held out says so.
    answers = [answer("a", "answer", 1.30), answer("a", "gap", 1.02), answer("b", "answer", 1.28), answer("b", "gap", 1.04),
               answer("c", "gap", 1.29)]
    loco = leave_one_council_out(answers)
    assert loco["councils"]["c"]["gaps_held"] == 0 and loco["councils"]["c"]["margin"] < 0.28
    # Fitted on "a" and "c", the margin must hold c's gap (0.29 over), so b's answer (0.28 over) is held too.
    assert loco["councils"]["b"]["margin"] > 0.28 and loco["councils"]["b"]["answerable_kept"] == 0
    assert loco["pooled"] == {"answerable": 2, "answerable_kept": 1, "gaps": 3, "gaps_held": 2}


def test_the_fitted_margin_is_written_into_the_tuning_file_with_its_run(tmp_path):
    path = tmp_path / "minilm.yaml"
    shutil.copy(PROJECT_ROOT / "prompts" / "tuning" / "minilm.yaml", path)
    before = path.read_text(encoding="utf-8")
    loco = {"councils": {"a": {}, "b": {}}, "pooled": {"answerable": 2, "answerable_kept": 2, "gaps": 3, "gaps_held": 2}}
    write_margin(path, 0.17, loco, {"answerable": 2, "answerable_kept": 2, "gaps": 3, "gaps_held": 3}, "qwen-test")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["drafting"]["gated_answer_margin"] == 0.17
    record = data["calibration"]["gated_answer_margin"]
    assert "2 councils" in record["run"] and "qwen-test" in record["run"] and record["held_out"]["gaps_held"] == 2
    # Everything else, comments included, is as it was.
    assert data["drafting"]["weights"] == yaml.safe_load(before)["drafting"]["weights"]
    assert "# Which questions the LLM drafter asks the model." in path.read_text(encoding="utf-8")
    write_margin(path, 0.2, loco, loco["pooled"], "qwen-test")  # a refit replaces the value, never adds a second
    assert path.read_text(encoding="utf-8").count("gated_answer_margin:") == 2  # the value and its calibration record
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["drafting"]["gated_answer_margin"] == 0.2
