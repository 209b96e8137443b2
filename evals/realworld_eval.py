"""The eval on real councils' documents: per council, ingest its files, draft its plan, score it against its labels.

    python -m evals.realworld_eval [--council kent ...] [--llm]     (a table per council; JSON to --out)
    make eval                                                        (part of the offline evals, with thresholds)

Each council is drafted from its own documents only, in a fresh store, as a new user would.
Measured per council and pooled: false gaps, questions answered from a labelled file, true
gaps reported (evals/metrics/gaps.py), junk sentences (evals/metrics/junk.py), figures in
their cited passages, the plan within its token budget, and ALCE citation recall/precision
(evals/metrics/citations.py) with the offline judge, before and after verification: the
offline judge is the verifier, so after verification its recall is 1 by construction and the
figure before verification is the one that measures the drafter.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from evals import realworld
from evals.judges import OfflineJudge
from evals.metrics import citations, figures, gaps, junk
from evals.recording import RecordingAssistant

log = logging.getLogger("evals.realworld")


def draft_council(council, settings: Settings, drafter: str = "offline", work: Path | None = None):
    """Ingest one council's prepared documents into a fresh store under `work` and draft its plan."""
    with tempfile.TemporaryDirectory(prefix=f"realworld-{council.id}-", dir=work) as tmp:
        docs = realworld.prepare_council(council, Path(tmp) / "documents")
        assistant = RecordingAssistant(settings.with_(data_dir=Path(tmp) / "data"))
        report = assistant.ingest([docs])
        plan = assistant.draft_plan(drafter=drafter)
        return assistant, plan, report


def citation_scores(plan, raw_sections: dict, judge) -> dict:
    """ALCE citation recall and precision of the plan as drafted (before verification) and as kept (after)."""
    after, _ = citations.plan_citations(plan.sections, judge)
    raw = [raw_sections[s.theme_id] for s in plan.sections if s.theme_id in raw_sections]
    before, _ = citations.plan_citations(raw, judge) if raw else (None, None)
    return {"after_verification": after.to_dict(), "before_verification": before.to_dict() if before else None}


def measure_council(council, plan, template, report=None, seconds: float | None = None,
                    raw_sections: dict | None = None, judge=None) -> dict:
    scores = gaps.score_plan(plan, council, template)
    found_junk = junk.plan_junk(plan.sections)
    figure_scores = figures.plan_figures(plan.sections)
    return {
        "council": council.id,
        "name": council.name,
        "gaps": scores.to_dict(),
        "junk": found_junk,
        "figures": figure_scores.to_dict(),
        "tokens": plan.total_tokens,
        "budget": template.budget_tokens,
        "within_budget": all(s.tokens <= s.allowance for s in plan.sections) and plan.total_tokens <= template.budget_tokens,
        "sentences": sum(len(s.sentences) for s in plan.sections),
        "failed_files": [] if report is None else report.failed,
        "seconds": seconds,
        "seconds_per_section": round(seconds / len(plan.sections), 1) if seconds and plan.sections else None,
        "citations": citation_scores(plan, raw_sections or {}, judge) if judge is not None else None,
        "plan": plan.to_dict(),
    }


def pooled(councils: list[dict]) -> dict:
    """The councils' results summed: the figures the thresholds are checked on."""
    total = gaps.GapScores()
    for c in councils:
        g = c["gaps"]
        total.add(gaps.GapScores(g["answerable"], g["false_gaps"], g["answered_from_labelled"], g["gaps"], g["true_gaps_reported"]))
    n_figures = sum(c["figures"]["figures"] for c in councils)
    found = sum(c["figures"]["found"] for c in councils)
    return {
        **total.to_dict(with_questions=False),
        "citations": {stage: _pooled_citations(councils, stage) for stage in ("before_verification", "after_verification")},
        "junk_sentences": sum(len(c["junk"]) for c in councils),
        "sentences": sum(c["sentences"] for c in councils),
        "figures": n_figures, "figures_found": found, "number_fidelity": found / n_figures if n_figures else None,
        "misdated": sum(c["figures"]["misdated"] for c in councils),
        "within_budget": all(c["within_budget"] for c in councils),
        "tokens": [c["tokens"] for c in councils],
    }


def _pooled_citations(councils: list[dict], stage: str) -> dict | None:
    """Counts summed over the councils, then the ratios: each sentence and each citation weighs the same."""
    scored = [c["citations"][stage] for c in councils if c.get("citations") and c["citations"].get(stage)]
    if not scored:
        return None
    keys = ("sentences", "entailed", "citations", "precise_citations", "cited_sentences", "all_precise_sentences")
    total = {k: sum(s[k] for s in scored) for k in keys}
    total.update(recall=total["entailed"] / total["sentences"] if total["sentences"] else None,
                 precision=total["precise_citations"] / total["citations"] if total["citations"] else None)
    return total


def run(council_ids: list[str] | None = None, drafter: str = "offline", settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env()
    template = RecordingAssistant(settings).template
    folder = realworld.realworld_dir()
    if not realworld.available(folder):
        return {"available": False, "folder": str(folder), "councils": [], "pooled": {}}
    councils = [c for c in realworld.load_councils(folder) if not council_ids or c.id in council_ids]
    results, judge = [], None
    for council in councils:
        start = time.perf_counter()
        assistant, plan, report = draft_council(council, settings, drafter)
        seconds = round(time.perf_counter() - start, 1)
        judge = judge or OfflineJudge(assistant.embedder)
        results.append(measure_council(council, plan, template, report, seconds, assistant.raw_sections, judge))
        log.info("%s: %s", council.id, results[-1]["gaps"]["false_gaps"])
    return {"available": True, "folder": str(folder), "drafter": drafter, "councils": results, "pooled": pooled(results)}


def table(result: dict) -> str:
    rows = [f"{'council':14s} {'false gaps':>12s} {'from label':>12s} {'true gaps':>10s} {'junk':>5s} {'figures':>9s} {'tokens':>7s}"]
    for c in result["councils"] + [{"council": "ALL", "gaps": result["pooled"], "junk": [None] * result["pooled"].get("junk_sentences", 0),
                                     "figures": {"found": result["pooled"].get("figures_found"), "figures": result["pooled"].get("figures")},
                                     "tokens": ""}]:
        g = c["gaps"]
        rows.append(f"{c['council']:14s} {g['false_gaps']:>5d}/{g['answerable']:<6d} {g['answered_from_labelled']:>5d}/{g['answerable']:<6d} "
                    f"{g['true_gaps_reported']:>4d}/{g['gaps']:<5d} {len(c['junk']):>5d} {c['figures']['found']:>4}/{c['figures']['figures']:<4} {c['tokens']!s:>7s}")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.realworld_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--council", action="append", help="a council id (repeatable; default: all)")
    parser.add_argument("--llm", action="store_true", help="draft with the LLM drafter")
    parser.add_argument("--out", type=Path, help="write the full result as JSON here")
    parser.add_argument("--report", type=Path, help="write a Markdown report here (no document text beyond drafted sentences' counts)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    with contextlib.ExitStack() as stack:
        endpoint = None
        if args.llm:
            from evals.run import llm_endpoint  # the configured endpoint, else the local Qwen server

            settings, endpoint = stack.enter_context(llm_endpoint(settings))
        result = run(args.council, "llm" if args.llm else "offline", settings)
    result["endpoint"] = endpoint
    if not result["available"]:
        sys.stderr.write(f"no real-world set at {result['folder']}\n")
        return 2
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    if args.report:
        from evals.report import realworld_section

        args.report.parent.mkdir(parents=True, exist_ok=True)
        head = [f"# Real councils, {result['drafter']} drafter", "",
                f"Model endpoint: {result.get('endpoint') or 'none (offline)'}. Written by `python -m evals.realworld_eval`; "
                "definitions in `docs/evals.md`.", "",
                "| council | seconds | seconds per section | sentences |", "|---|---|---|---|"]
        head += [f"| {c['council']} | {c['seconds']} | {c.get('seconds_per_section')} | {c['sentences']} |"
                 for c in result["councils"]] + [""]
        data = {"realworld": result, "description": "each council drafted from its own documents"}
        args.report.write_text("\n".join(head + realworld_section(data)) + "\n", encoding="utf-8")
    sys.stdout.write(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
