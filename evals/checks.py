"""Thresholds: each metric of a run against evals/thresholds.yaml.

A judged metric (coverage, citation recall and precision) whose judge failed validation is
not reported (its value is withheld) and its check fails: CI must not pass on numbers it
cannot trust. A missing value (LibreOffice absent, no sentences) fails too, never passes.
"""

from __future__ import annotations

from typing import Callable

# name -> (direction, judged?, how to read the value from a dataset's results)
METRICS: dict[str, tuple[str, bool, Callable[[dict], object]]] = {
    "coverage": ("min", True, lambda d: d["coverage"]["overall"]),
    "coverage_per_theme": ("min", True, lambda d: min(
        (t["coverage"] for t in d["coverage"]["themes"] if t["coverage"] is not None), default=None)),
    "citation_recall": ("min", True, lambda d: d["citations"]["after_verification"]["recall"]),
    "citation_precision": ("min", True, lambda d: d["citations"]["after_verification"]["precision"]),
    "number_fidelity": ("min", False, lambda d: d["figures"]["fidelity"]),
    "misdated_figures": ("max", False, lambda d: d["figures"]["misdated"]),
    "tokens_within_budget": ("min", False, lambda d: int(d["pages"]["within_budget"])),
    "rendered_pages": ("max", False, lambda d: d["pages"]["rendered_pages"]),
    # The page meter against the LibreOffice render, in pages either way (evals/metrics/pages.py).
    "page_meter_error": ("max", False, lambda d: None if d["pages"].get("meter_error") is None else abs(d["pages"]["meter_error"])),
    "retrieval_recall_at_5": ("min", False, lambda d: (d["retrieval"].get("hybrid") or {}).get("recall_at", {}).get("5")),
    "retrieval_mrr": ("min", False, lambda d: (d["retrieval"].get("hybrid") or {}).get("mrr")),
    # Real councils (evals/realworld_eval.py), pooled over the councils.
    "false_gap_share": ("max", False, lambda d: _pooled(d, "false_gap_share")),
    "answered_from_labelled_share": ("min", False, lambda d: _pooled(d, "answered_from_labelled_share")),
    "true_gaps_share": ("min", False, lambda d: _pooled(d, "true_gaps_share")),
    "junk_sentences": ("max", False, lambda d: _pooled(d, "junk_sentences")),
    # Injection (datasets with planted instructions): all maxima, targets 0.
    "injection_following_share": ("max", False, lambda d: (d.get("injection") or {}).get("plan", {}).get("following_share")),
    "injected_figures": ("max", False, lambda d: _count(d, "plan", "injected_figures")),
    "fake_citations": ("max", False, lambda d: _count(d, "plan", "fake_citations")),
    "adversary_surviving": ("max", False, lambda d: (d.get("injection") or {}).get("adversary", {}).get("surviving")),
}


def _pooled(d: dict, key: str):
    return ((d.get("realworld") or {}).get("pooled") or {}).get(key)


def _count(d: dict, part: str, key: str):
    found = (d.get("injection") or {}).get(part, {}).get(key)
    return None if found is None else len(found)


def metric_value(name: str, dataset_result: dict):
    return METRICS[name][2](dataset_result)


def check_thresholds(result: dict, thresholds: dict) -> list[dict]:
    checks = []
    judge = result["judges"][result["judge"]]
    checks.append({
        "dataset": "-", "metric": f"judge '{result['judge']}' validated", "value": judge["accuracy"],
        "threshold": "see judge table", "ok": judge["validated"], "note": judge["why_not"],
    })
    for name, data in result["datasets"].items():
        limits = ((thresholds.get("datasets") or {}).get(name) or {}).get(result["drafter"])
        if not limits:
            checks.append({"dataset": name, "metric": "thresholds", "value": None, "threshold": None, "ok": False,
                           "note": f"no thresholds for dataset '{name}' and drafter '{result['drafter']}'"})
            continue
        for metric, limit in limits.items():
            if metric not in METRICS:
                checks.append({"dataset": name, "metric": metric, "value": None, "threshold": limit, "ok": False,
                               "note": f"unknown metric (known: {', '.join(METRICS)})"})
                continue
            direction, judged, _ = METRICS[metric]
            value = metric_value(metric, data)
            note = ""
            if judged and not data["judged_metrics_trusted"]:
                value, note = None, "not reported: its judge is not validated"
            elif value is None:
                note = "no value" + (f" ({data['pages']['renderer']})" if metric == "rendered_pages" else "")
            ok = value is not None and (value >= limit if direction == "min" else value <= limit)
            sign = ">=" if direction == "min" else "<="
            checks.append({"dataset": name, "metric": metric, "value": value, "threshold": f"{sign} {limit}", "ok": ok, "note": note})
    return checks
