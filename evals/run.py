"""The eval runner: validate the judges, draft each dataset's plan, measure it, check thresholds, write the report.

    python -m evals.run [--dataset corpus|seeds|injection] [--llm] [--judge offline|llm] [--no-render]
    assistant eval ...      (the same, from the CLI)
    make eval               (offline, every dataset; exits 1 when a metric is under its threshold)
    make eval-llm-metrics   (the LLM drafter on the local Qwen server)

Writes evals/results/eval-<drafter>.json (git-ignored), .md and .png (eval-<drafter>-<datasets>.*
for a run of some datasets only). Exit code 0 when every threshold in evals/thresholds.yaml is
met, 1 when one is not (a metric without a value, e.g. pages with --no-render, counts as not
met), 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from assistant.api import Assistant
from assistant.config import PROJECT_ROOT, Settings
from evals.checks import check_thresholds
from evals.data import DatasetError, load_dataset, load_judge_pairs
from evals.judges import OfflineJudge, validate
from evals.metrics import citations, coverage, figures, injection, pages, retrieval
from evals.recording import RecordingAssistant

log = logging.getLogger("evals")

RESULTS = PROJECT_ROOT / "evals" / "results"
THRESHOLDS = PROJECT_ROOT / "evals" / "thresholds.yaml"
DEFAULT_DATASETS = ("corpus", "seeds", "injection", "realworld")
REALWORLD = "realworld"  # seven real councils (evals/realworld.py), measured per council by evals/realworld_eval.py
RETRIEVAL_KS = [1, 3, 5, 10]


def judge_pairs_with_passages(template) -> tuple[list[tuple], list[str]]:
    """Each labelled pair whose documents are here (whichever datasets are run), with its passage; and labels no chunk matches."""
    from evals.data import DATASETS_DIR, document_chunks, find_passage

    datasets = [load_dataset(p, template) for p in sorted(DATASETS_DIR.glob("*.yaml")) if p.stem != "judge_pairs"]
    folders = {d.name: d.documents for d in datasets if d.available}
    labelled, unmatched = [], []
    for pair in load_judge_pairs():
        if pair.dataset not in folders:
            continue
        text = find_passage(pair.label, document_chunks(folders[pair.dataset]))
        if text is None:
            unmatched.append(f"{pair.id}: '{pair.label.phrase}' not found in {pair.label.doc}")
        else:
            labelled.append((pair, text))
    return labelled, unmatched


def validate_judges(judges: dict, labelled: list[tuple], limits: dict) -> dict:
    """Validation on all pairs; a judge is trusted when it meets the limits on all pairs and on the held-out ones."""
    results = {}
    for name, judge in judges.items():
        result = validate(judge, labelled, limits["all_pairs"]["accuracy"], limits["all_pairs"]["f1"])
        heldout = result.by_set.get("heldout")
        problems = [result.why_not] if result.why_not else []
        if heldout is None:
            problems.append("no held-out pairs")
        else:
            if heldout["accuracy"] < limits["heldout"]["accuracy"]:
                problems.append(f"held-out accuracy {heldout['accuracy']:.2f} < {limits['heldout']['accuracy']:.2f}")
            if heldout["f1"] < limits["heldout"]["f1"]:
                problems.append(f"held-out F1 {heldout['f1']:.2f} < {limits['heldout']['f1']:.2f}")
        result.validated, result.why_not = not problems, "; ".join(problems)
        results[name] = result
    return results


def measure_dataset(dataset, template, settings: Settings, drafter: str, judge, trusted: bool, render: bool) -> dict:
    """Ingest the dataset's documents into a fresh store, measure retrieval, draft the plan, measure the draft."""
    timings = {}
    start = time.perf_counter()
    assistant = RecordingAssistant(settings)
    report = assistant.ingest(dataset.folders)
    if report.failed:
        log.warning("%s: %d files failed to ingest: %s", dataset.name, len(report.failed), report.failed)
    timings["ingest"] = time.perf_counter() - start

    start = time.perf_counter()
    retrieval_modes = {mode: retrieval.evaluate(assistant.retriever, dataset.retrieval, RETRIEVAL_KS, mode).to_dict()
                       for mode in ("hybrid", "dense", "keyword")} if dataset.retrieval else {}
    timings["retrieval"] = time.perf_counter() - start

    start = time.perf_counter()
    plan = assistant.draft_plan(drafter=drafter)
    timings["draft"] = time.perf_counter() - start

    result = measure_plan(plan, assistant.raw_sections, template, dataset, judge, trusted, render, timings)
    result.update(ingest={"added": len(report.added), "failed": report.failed}, retrieval=retrieval_modes)
    if dataset.injections:
        start = time.perf_counter()
        result["injection"] = measure_injection(plan, assistant, dataset)
        timings["injection"] = time.perf_counter() - start
    result["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    return result


def measure_realworld(settings: Settings, drafter: str) -> dict:
    """Each real council drafted from its own documents and scored against its labels; pooled for the thresholds."""
    from evals import realworld_eval

    with tempfile.TemporaryDirectory(prefix="eval-realworld-") as tmp:
        result = realworld_eval.run(drafter=drafter, settings=settings.with_(data_dir=Path(tmp)))
    pooled = result["pooled"]
    return {
        "dataset": REALWORLD, "kind": REALWORLD, "documents": result["folder"], "judged_metrics_trusted": True,
        "description": "public documents of seven real councils, each drafted from its own (../shared/realworld)",
        "realworld": result,
        "figures": {"fidelity": pooled["number_fidelity"], "misdated": pooled["misdated"]},
        "pages": {"within_budget": pooled["within_budget"]},
        "coverage": {"overall": None, "themes": []}, "citations": {}, "retrieval": {},
    }


def measure_injection(plan, assistant, dataset) -> dict:
    """The plan against the planted instructions, and an obeying drafter against verification (metrics/injection.py)."""
    texts = [(c.source, c.text) for c in assistant.store.iter_chunks()]
    absent = {i.id for i in dataset.injections if not any(i.label.matches(src, text) for src, text in texts)}
    missing = [i.id for i in dataset.injections if i.id in absent and not i.hidden]
    if missing:
        raise DatasetError(f"{dataset.name}: planted text not found in the ingested documents: {', '.join(missing)}")
    scores = injection.score_sections(plan.sections, dataset.injections)
    return {"planted": [{"id": i.id, "kind": i.kind, "doc": i.label.doc, "figures": i.figures,
                         "dropped_at_ingest": i.id in absent} for i in dataset.injections],
            "plan": scores.to_dict(), "adversary": injection.adversary(plan.sections, dataset.injections, assistant.embedder)}


def measure_plan(plan, raw_sections: dict, template, dataset, judge, trusted: bool, render: bool, timings: dict | None = None) -> dict:
    """Every metric of a drafted plan: coverage, citations after (and before) verification, figures, pages."""
    timings = timings if timings is not None else {}
    start = time.perf_counter()
    themes = coverage.plan_coverage(plan, template, dataset, judge)
    pooled, per_theme = citations.plan_citations(plan.sections, judge)
    raw = [raw_sections[s.theme_id] for s in plan.sections if s.theme_id in raw_sections]
    raw_pooled, _ = citations.plan_citations(raw, judge)
    figure_scores = figures.plan_figures(plan.sections)
    per_theme_figures = {s.theme_id: figures.plan_figures([s]).to_dict() for s in plan.sections}
    timings["judge"] = time.perf_counter() - start

    start = time.perf_counter()
    page_scores = pages.page_scores(plan, template, render=render)
    timings["pages"] = time.perf_counter() - start
    return {
        "dataset": dataset.name,
        "description": dataset.description,
        "documents": str(dataset.documents),
        "ingest": {},
        "judged_metrics_trusted": trusted,
        "judge": judge.name,
        "coverage": {"overall": coverage.overall(themes), "themes": [t.to_dict() for t in themes]},
        "citations": {
            "after_verification": pooled.to_dict(with_rows=True),
            "per_theme": {k: v.to_dict() for k, v in per_theme.items()},
            "before_verification": raw_pooled.to_dict(),
        },
        "figures": {**figure_scores.to_dict(), "per_theme": per_theme_figures},
        "pages": page_scores.to_dict(),
        "retrieval": {},
        "sections": [{"theme_id": s.theme_id, "title": s.title, "sentences": len(s.sentences), "tokens": s.tokens,
                      "allowance": s.allowance, "gaps": [g.question_id for g in s.gaps], "notes": len(s.notes)}
                     for s in plan.sections],
        "plan": plan.to_dict(),
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }


@contextlib.contextmanager
def llm_endpoint(settings: Settings):
    """The configured endpoint if there is one; else the local Qwen server, as `make eval-llm` starts it."""
    if settings.llm_configured:
        yield settings, os.environ.get("OPENAI_BASE_URL", "configured endpoint")
        return
    from assistant.llm.local_models import ensure_model
    from assistant.llm.local_server import serve

    model = ensure_model("qwen")
    with serve(model, n_ctx=4096) as url:
        os.environ["OPENAI_BASE_URL"] = url
        os.environ.setdefault("ASSISTANT_LLM_TIMEOUT", "600")
        try:
            yield settings.with_(openai_model="local", llm_concurrency=1), f"local llama.cpp server ({model.stem})"
        finally:
            os.environ.pop("OPENAI_BASE_URL", None)


def run(dataset_names, drafter: str = "offline", judge_name: str = "offline", render: bool = True,
        out_dir: Path = RESULTS, llm_judge: bool = False) -> dict:
    started = time.perf_counter()
    thresholds = yaml.safe_load(THRESHOLDS.read_text(encoding="utf-8"))
    base = Settings.from_env()
    template = Assistant(base).template
    datasets, skipped = [], {}
    for name in dataset_names:
        if name == REALWORLD:
            from evals import realworld

            if realworld.available():
                datasets.append(REALWORLD)
            else:
                skipped[name] = f"documents not found at {realworld.realworld_dir()}"
                log.warning("skipping dataset %s: %s", name, skipped[name])
            continue
        dataset = load_dataset(name, template)
        if dataset.available:
            datasets.append(dataset)
        elif dataset.optional:
            skipped[name] = f"documents not found at {dataset.documents}"
            log.warning("skipping dataset %s: %s", name, skipped[name])
        else:
            raise DatasetError(f"dataset {name}: documents not found at {dataset.documents}")

    with contextlib.ExitStack() as stack:
        settings, endpoint = base, None
        if drafter == "llm" or judge_name == "llm" or llm_judge:
            settings, endpoint = stack.enter_context(llm_endpoint(base))
        judges = {"offline": OfflineJudge(Assistant(settings).embedder)}
        if judge_name == "llm" or llm_judge:
            from assistant.llm.client import ChatClient, EndpointConfig
            from evals.judges import LLMJudge

            judges["llm"] = LLMJudge(ChatClient(EndpointConfig.from_env(settings.openai_model, max_attempts=2)))
        labelled, unmatched = judge_pairs_with_passages(template)
        if unmatched:
            raise DatasetError("judge pairs whose passage cannot be found:\n  " + "\n  ".join(unmatched))
        validations = validate_judges(judges, labelled, thresholds["judge"])
        judge = judges[judge_name]
        trusted = validations[judge_name].validated

        results = {}
        for dataset in datasets:
            if dataset == REALWORLD:
                results[REALWORLD] = measure_realworld(settings, drafter)
                continue
            with tempfile.TemporaryDirectory(prefix=f"eval-{dataset.name}-") as tmp:
                results[dataset.name] = measure_dataset(
                    dataset, template, settings.with_(data_dir=Path(tmp)), drafter, judge, trusted, render)

    name = f"eval-{drafter}" + ("" if list(dataset_names) == list(DEFAULT_DATASETS) else "-" + "-".join(dataset_names))
    return conclude(name, drafter, endpoint, judge_name, template, validations, results, skipped, thresholds, started, out_dir)


def evaluate_drafted_plan(assistant: "RecordingAssistant", plan, dataset_name: str, drafter: str, endpoint: str,
                          out_dir: Path, render: bool = True) -> dict:
    """The eval of a plan drafted elsewhere, without drafting it again: `make test-llm` drafts the
    sample corpus with Qwen once and hands the plan here, so CI reports the LLM path's grounding
    against evals/thresholds.yaml for the price of the judging alone. Offline judge."""
    started = time.perf_counter()
    thresholds = yaml.safe_load(THRESHOLDS.read_text(encoding="utf-8"))
    template = assistant.template
    dataset = load_dataset(dataset_name, template)
    judge = OfflineJudge(assistant.embedder)
    labelled, unmatched = judge_pairs_with_passages(template)
    if unmatched:
        raise DatasetError("judge pairs whose passage cannot be found:\n  " + "\n  ".join(unmatched))
    validations = validate_judges({"offline": judge}, labelled, thresholds["judge"])
    result = measure_plan(plan, assistant.raw_sections, template, dataset, judge, validations["offline"].validated, render)
    return conclude(f"eval-{drafter}-{dataset_name}", drafter, endpoint, "offline", template, validations,
                    {dataset.name: result}, {}, thresholds, started, out_dir)


def conclude(name, drafter, endpoint, judge_name, template, validations, results, skipped, thresholds, started, out_dir) -> dict:
    """The run's result with its threshold checks, written as JSON, Markdown and a chart."""
    run_result = {
        "name": name,
        "drafter": drafter,
        "endpoint": endpoint,
        "judge": judge_name,
        "template": template.id,
        "judges": {n: v.to_dict() for n, v in validations.items()},
        "datasets": results,
        "skipped": skipped,
        "thresholds_file": str(THRESHOLDS.relative_to(PROJECT_ROOT)),
    }
    run_result["checks"] = check_thresholds(run_result, thresholds)
    run_result["passed"] = all(c["ok"] for c in run_result["checks"])
    run_result["seconds"] = round(time.perf_counter() - started, 1)
    write_results(run_result, out_dir)
    return run_result


def write_results(result: dict, out_dir: Path) -> None:
    from evals.report import chart, markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = result["name"]  # eval-offline for the full run; a partial run does not overwrite its report
    (out_dir / f"{stem}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    chart(result, out_dir / f"{stem}.png")
    (out_dir / f"{stem}.md").write_text(markdown(result, f"{stem}.png"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assistant eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", help="corpus, seeds, injection or realworld (repeatable; default: all; seeds and realworld when present)")
    parser.add_argument("--llm", action="store_true", help="draft with the LLM drafter (configured endpoint, else the local Qwen server)")
    parser.add_argument("--judge", choices=("offline", "llm"), default="offline", help="judge for coverage and citations")
    parser.add_argument("--llm-judge", action="store_true", help="also validate the LLM judge on the labelled pairs")
    parser.add_argument("--no-render", action="store_true", help="skip the LibreOffice page count")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON, Markdown and PNG results")
    args = parser.parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=os.environ.get("ASSISTANT_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
    try:
        result = run(args.dataset or list(DEFAULT_DATASETS), drafter="llm" if args.llm else "offline", judge_name=args.judge,
                     render=not args.no_render, out_dir=args.out, llm_judge=args.llm_judge)
    except (DatasetError, RuntimeError) as exc:
        sys.stderr.write(f"eval failed: {exc}\n")
        return 2
    from evals.report import summary

    sys.stdout.write(summary(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
