"""`make calibrate-model`: the margin a model's answer to a gated question must clear, fitted on the model's answers.

    python -m evals.calibrate_model [--answers out/model-answers.json [--reuse]] [--stores out/cal-stores] [--write]

A gated question is one whose candidate sentences all scored under its threshold (assistant/assess.py).
The LLM drafter asks the model anyway (the relevance check misses answers worded far from the
question) and keeps the answer only if its best sentence, scored as a candidate, clears the
question's threshold plus `gated_answer_margin` (assistant/draft/llm.py). A model restates the
question in its sentences, which lifts their scores: with the source sentences' threshold alone it
kept answers for questions the documents do not answer (docs/evals.md, session 15).

For each council of ../shared/realworld its documents are ingested, every theme assessed as the LLM
drafter assesses it, and each gated question that has a label is put to the model (the configured
endpoint, else the local Qwen server) as the drafter puts it. The answers are saved (under out/: they
hold document text), so a refit after the weights change re-scores them without asking again.
A margin is judged per gated question: one labelled as answerable is right when its answer is kept,
one labelled as a gap when it is not. Leave-one-council-out: each council's questions are judged
with the margin fitted on the other six; those held-out counts are the honest estimate. Verification,
which may still remove a kept sentence, is not modelled: the margin decides what reaches it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.api import Assistant
from assistant.config import Settings
from assistant.draft.llm import GATED_SENTENCES
from assistant.records import Evidence
from evals import realworld
from evals.calibrate import _plateau_middle, ingested_councils

log = logging.getLogger("evals.calibrate_model")

MARGINS = np.round(np.arange(-1.0, 4.0001, 0.005), 3)  # scores run 0-4 (weights sum to 3.8)
EDGE = 0.05  # how far past the answers' own margins a fit looks


@dataclass
class GatedAnswer:
    """A model's answer to one gated question, with what it is scored against."""

    council: str
    question_id: str
    expect: str  # "answer" or "gap" (labels.yaml)
    threshold: float  # the question's threshold for source sentences
    answer: list  # [(sentence, [passage numbers])]; [] when the model said "not answered"
    evidence: list  # the passages the prompt showed (records.Evidence as dicts)
    score: float | None = None  # the answer's best sentence, scored as a candidate; None when none can answer

    def kept(self, margin: float) -> bool:
        return self.score is not None and self.score >= self.threshold + margin

    def right(self, margin: float) -> bool:
        return self.kept(margin) == (self.expect == "answer")


def record(settings: Settings, councils: list | None = None, stores: Path | None = None,
           work: Path | None = None) -> list[GatedAnswer]:
    """Ask the model each labelled gated question of each council, as the LLM drafter asks it."""
    answers = []
    for council, assistant in ingested_councils(settings, councils, work, stores):
        drafter = assistant.drafter("llm")
        for theme in assistant.template.themes:
            # As the LLM drafter sees it: its themes are drafted in parallel, so none excludes another's sentences.
            request, assessment = assistant.assess_theme(theme.id)
            _, gated = drafter.questions_to_ask(request, assessment)
            for question in theme.questions:
                label = council.questions.get(question.id)
                if question.id not in gated or label is None or label.expect not in ("answer", "gap"):
                    continue
                evidence = drafter.evidence_for(request, question)
                answer = drafter.ask(request, question, evidence, GATED_SENTENCES, gated=True)
                answers.append(GatedAnswer(council.id, question.id, label.expect,
                                           assessment.questions[question.id].threshold,
                                           [[text, list(numbers)] for text, numbers in answer],
                                           [asdict(e) for e in evidence]))
                log.info("%s %s (%s): %s", council.id, question.id, label.expect, answer)
    return answers


def rescore(answers: list[GatedAnswer], settings: Settings) -> None:
    """Each answer's best sentence scored as the drafter scores it, under the current tuning (weights, thresholds)."""
    assistant = Assistant(settings)
    template = assistant.template
    question = {q.id: q for t in template.themes for q in t.questions}
    for a in answers:
        a.threshold = assistant.tuning.drafting.threshold_for(a.question_id)
        if not a.answer:
            a.score = None
            continue
        scored = assistant.assessor.score_answer(question[a.question_id], [(t, n) for t, n in a.answer],
                                                 [Evidence(**e) for e in a.evidence], a.threshold)
        a.score = round(scored.best.score, 4) if scored.best else None


def counts(answers: list[GatedAnswer], margin: float) -> dict:
    return {
        "answerable": sum(a.expect == "answer" for a in answers),
        "answerable_kept": sum(a.expect == "answer" and a.kept(margin) for a in answers),
        "gaps": sum(a.expect == "gap" for a in answers),
        "gaps_held": sum(a.expect == "gap" and not a.kept(margin) for a in answers),
    }


def fit_margin(answers: list[GatedAnswer]) -> float:
    """The margin that handles the most gated questions right: the middle of the longest run of margins that do.

    Margins are tried only a little beyond the answers' own (score - threshold): past the last of them every margin
    does the same (keeps none, or all), and that run's length would be the grid's, not the data's."""
    over = [a.score - a.threshold for a in answers if a.score is not None] or [0.0]
    grid = MARGINS[(MARGINS >= min(over) - EDGE) & (MARGINS <= max(over) + EDGE)]
    right = np.array([sum(a.right(m) for a in answers) for m in grid])
    return round(float(_plateau_middle(grid, right)), 3)


def leave_one_council_out(answers: list[GatedAnswer]) -> dict:
    councils = sorted({a.council for a in answers})
    result, pooled = {}, {"answerable": 0, "answerable_kept": 0, "gaps": 0, "gaps_held": 0}
    for council in councils:
        margin = fit_margin([a for a in answers if a.council != council])
        c = counts([a for a in answers if a.council == council], margin)
        result[council] = {"margin": margin, **c}
        for k in pooled:
            pooled[k] += c[k]
    return {"councils": result, "pooled": pooled}


def table(answers: list[GatedAnswer], margin: float) -> str:
    lines = [f"{'council':14s} {'question':18s} {'expect':6s} {'score':>7s} {'needs':>7s}  kept"]
    for a in sorted(answers, key=lambda a: (a.council, a.question_id)):
        score = "-" if a.score is None else f"{a.score:.3f}"
        lines.append(f"{a.council:14s} {a.question_id:18s} {a.expect:6s} {score:>7s} {a.threshold + margin:7.3f}  "
                     f"{'yes' if a.kept(margin) else 'no'}{'' if a.right(margin) else '  (wrong)'}")
    return "\n".join(lines) + "\n"


def write_margin(path: Path, margin: float, loco: dict, in_sample: dict, model: str) -> None:
    """The fitted margin into the embedder's tuning file, in place (its comments stay), with the run it came from."""
    text = path.read_text(encoding="utf-8")
    if re.search(r"(?m)^  gated_answer_margin: ", text):
        text = re.sub(r"(?m)^(  gated_answer_margin: )[-0-9.]+", lambda m: f"{m.group(1)}{margin}", text)
    else:
        text = re.sub(r"(?m)^(  llm_asks: .*\n)", lambda m: m.group(1) + f"  gated_answer_margin: {margin}\n", text)
    data = yaml.safe_load(text)
    calibration = dict(data.get("calibration") or {})
    calibration["gated_answer_margin"] = {
        "run": (f"{dt.date.today().isoformat()}, make calibrate-model on ../shared/realworld ({len(loco['councils'])} councils, "
                f"{in_sample['answerable'] + in_sample['gaps']} gated questions, {model}), leave-one-council-out"),
        "held_out": loco["pooled"], "in_sample": in_sample}
    block = yaml.safe_dump({"calibration": calibration}, sort_keys=False, allow_unicode=True, width=200)
    head = text[:text.index("\ncalibration:") + 1]
    path.write_text(head + block, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate_model", description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=Path, help="save the model's answers at this JSON path (under out/: they hold document text)")
    parser.add_argument("--reuse", action="store_true", help="fit on the answers saved at --answers instead of asking again")
    parser.add_argument("--stores", type=Path, help="keep each council's store under this folder between runs (out/...)")
    parser.add_argument("--council", action="append", help="only this council (repeatable)")
    parser.add_argument("--write", action="store_true", help="write the margin fitted on all councils into prompts/tuning/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if not args.reuse else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not realworld.available():
        sys.stderr.write(f"no real-world set at {realworld.realworld_dir()}: nothing to calibrate on\n")
        return 2
    settings = Settings.from_env()
    if args.reuse and args.answers and args.answers.exists():
        saved = json.loads(args.answers.read_text(encoding="utf-8"))
        model, answers = saved["model"], [GatedAnswer(**a) for a in saved["answers"]]
    else:
        from evals.run import llm_endpoint  # the configured endpoint, else the local Qwen server

        councils = [c for c in realworld.load_councils() if not args.council or c.id in args.council]
        with llm_endpoint(settings) as (llm_settings, model):
            answers = record(llm_settings, councils, stores=args.stores)
        if args.answers:
            args.answers.parent.mkdir(parents=True, exist_ok=True)
            args.answers.write_text(json.dumps({"model": model, "answers": [asdict(a) for a in answers]}), encoding="utf-8")
    rescore(answers, settings)
    margin = fit_margin(answers)
    in_sample = counts(answers, margin)
    loco = leave_one_council_out(answers)
    sys.stdout.write(table(answers, margin))
    sys.stdout.write("\nLeave-one-council-out (margin fitted on the others, gated questions of the held-out council):\n")
    for council, c in loco["councils"].items():
        sys.stdout.write(f"  {council:14s} margin {c['margin']:+.3f}: answerable kept {c['answerable_kept']}/{c['answerable']}, "
                         f"gaps held {c['gaps_held']}/{c['gaps']}\n")
    sys.stdout.write(f"  held out, pooled: {loco['pooled']}\n")
    sys.stdout.write(f"  margin 0 (the source sentences' threshold), in sample: {counts(answers, 0.0)}\n")
    sys.stdout.write(f"\nFitted on all: margin {margin:+.3f}; in sample {in_sample}\n")
    if args.write:
        from assistant.tuning import embedder_key, tuning_dir

        path = tuning_dir(settings.prompts_dir) / f"{embedder_key(settings.embedder)}.yaml"
        write_margin(path, margin, loco, in_sample, model)
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
