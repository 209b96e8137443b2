"""The eval report: Markdown (a table per theme, the judges, pages, retrieval, threshold checks) and a PNG chart."""

from __future__ import annotations

from pathlib import Path

WITHHELD = "withheld"  # a judged metric whose judge is not validated


def _pct(value) -> str:
    return "-" if value is None else f"{value:.0%}" if isinstance(value, float) else str(value)


def _num(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def _judged(data: dict, value) -> str:
    return _pct(value) if data["judged_metrics_trusted"] else WITHHELD


def judges_section(result: dict) -> list[str]:
    out = ["## Judges, validated on labelled pairs", "",
           "Each judge decides whether a passage supports a sentence. It is scored on labelled (sentence, passage, "
           "supported) pairs (`evals/datasets/judge_pairs.yaml`) before any judged metric is reported; held-out "
           "pairs were written after the judge's last change and are the honest test.", ""]
    rows = []
    for name, v in result["judges"].items():
        held = v["by_set"].get("heldout", {})
        rows.append([name, v["n"], _num(v["accuracy"]), _num(v["f1"]), _num(v["precision"]), _num(v["recall"]),
                     _num(v["unsupported_caught"]), f"{_num(held.get('accuracy'))} / {_num(held.get('f1'))} (n={held.get('n', 0)})",
                     "yes" if v["validated"] else f"**no**: {v['why_not']}"])
    out += _table(["judge", "pairs", "accuracy", "F1", "precision", "recall", "unsupported caught",
                   "held-out accuracy / F1", "validated"], rows)
    kinds = sorted({k for v in result["judges"].values() for k in v["by_kind"]})
    out += ["Accuracy by kind of pair (the hard negatives are other_figure, other_year, negated):", ""]
    def by_kind(v, k):
        scores = v["by_kind"].get(k, {})
        return f"{_num(scores.get('accuracy'))} (n={scores.get('n', 0)})"

    out += _table(["judge"] + kinds, [[name] + [by_kind(v, k) for k in kinds] for name, v in result["judges"].items()])
    for name, v in result["judges"].items():
        if v.get("unreadable"):
            out += [f"{name} judge: {v['unreadable']} replies were neither yes nor no (counted as 'not supported').", ""]
        if v["errors"]:
            out.append(f"{name} judge's errors: " + "; ".join(
                f"{e['id']} ({e['kind']}, {'supported' if e['truth'] else 'unsupported'}): \u201c{e['sentence']}\u201d"
                for e in v["errors"]))
            out.append("")
    return out


def _citation_cells(scores: dict | None) -> list[str]:
    """ALCE recall and precision before verification → after it (offline judge); '-' when not measured."""
    if not scores:
        return ["-", "-"]
    before, after = scores.get("before_verification") or {}, scores.get("after_verification") or {}
    return [f"{_pct(before.get(k))} → {_pct(after.get(k))}" for k in ("recall", "precision")]


def realworld_section(data: dict) -> list[str]:
    """Per council: false gaps, answered from a labelled file, true gaps, junk, figures, tokens; then why each miss."""
    rw = data["realworld"]
    out = [f"## Dataset `realworld`: {data['description']}", "",
           "Each council drafted from its own documents in a fresh store and scored against `labels.yaml` "
           "(evals/metrics/gaps.py, junk.py). Pooled figures are what the thresholds check.", ""]
    rows = []
    for c in rw["councils"] + [{"council": "**all**", "gaps": rw["pooled"], "junk": rw["pooled"]["junk_sentences"],
                                "figures": {"found": rw["pooled"]["figures_found"], "figures": rw["pooled"]["figures"]},
                                "tokens": "-", "budget": "-"}]:
        g = c["gaps"]
        junk = c["junk"] if isinstance(c["junk"], int) else len(c["junk"])
        rows.append([c["council"], f"{g['false_gaps']}/{g['answerable']} ({_pct(g['false_gap_share'])})",
                     f"{g['answered_from_labelled']}/{g['answerable']} ({_pct(g['answered_from_labelled_share'])})",
                     f"{g['true_gaps_reported']}/{g['gaps']} ({_pct(g['true_gaps_share'])})", junk,
                     f"{c['figures']['found']}/{c['figures']['figures']}", f"{c['tokens']}/{c['budget']}",
                     *_citation_cells(c["gaps"].get("citations") if c["council"] == "**all**" else c.get("citations"))])
    out += _table(["council", "false gaps", "answered from a labelled file", "true gaps reported", "junk sentences",
                   "figures in source", "tokens", "citation recall (drafted → kept)",
                   "citation precision (drafted → kept)"], rows)
    misses = [(c["council"], q) for c in rw["councils"] for q in c["gaps"]["questions"]
              if q["verdict"] not in ("answered from labelled file", "true gap reported")]
    if misses:
        out += ["Misses (question, verdict, and the assessment's reason for a reported gap):", ""]
        out += _table(["council", "question", "verdict", "why / cited files"],
                      [[c, q["question_id"], q["verdict"], (q["reason"] or ", ".join(q["cited_files"]) or "-").replace("|", "/")]
                       for c, q in misses])
    junk = [(c["council"], j) for c in rw["councils"] for j in c["junk"]]
    if junk:
        out += ["Junk sentences by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(
            {j["kind"]: sum(1 for _, x in junk if x["kind"] == j["kind"]) for _, j in junk}.items())), ""]
    return out


def dataset_section(name: str, data: dict, drafter: str) -> list[str]:
    out = [f"## Dataset `{name}`: {data['description']}", ""]
    cov = {t["theme_id"]: t for t in data["coverage"]["themes"]}
    cites = data["citations"]["per_theme"]
    figs = data["figures"]["per_theme"]
    rows = []
    for s in data["sections"]:
        t, c, f = cov.get(s["theme_id"], {}), cites.get(s["theme_id"], {}), figs.get(s["theme_id"], {})
        rows.append([s["title"], f"{t.get('correct', 0)}/{t.get('scored', 0)}", _judged(data, t.get("coverage")),
                     f"{t.get('key_points_found', 0)}/{t.get('key_points', 0)}", s["sentences"], _judged(data, c.get("recall")),
                     _judged(data, c.get("precision")), f"{_pct(f.get('fidelity'))} ({f.get('found', 0)}/{f.get('figures', 0)})",
                     f"{s['tokens']}/{s['allowance']}", ", ".join(s["gaps"]) or "-"])
    after = data["citations"]["after_verification"]
    rows.append(["**Plan**", "", f"**{_judged(data, data['coverage']['overall'])}**", "", after["sentences"],
                 f"**{_judged(data, after['recall'])}**", f"**{_judged(data, after['precision'])}**",
                 f"**{_pct(data['figures']['fidelity'])}** ({data['figures']['found']}/{data['figures']['figures']})",
                 f"{data['pages']['tokens']}/{data['pages']['budget']}", ""])
    out += _table(["Theme", "questions right", "coverage", "key points found", "sentences", "citation recall",
                   "citation precision", "number fidelity", "tokens / allowed", "evidence gaps listed"], rows)
    out += ["Per guidance question:", ""]
    qrows = [[q["question_id"], q["expect"], q["verdict"],
              f"{sum(q['key_points_found'])}/{len(q['key_points_found'])}" if q["key_points_found"] else "-", q["sentences"]]
             for t in data["coverage"]["themes"] for q in t["questions"]]
    out += _table(["question", "expected", "verdict", "key points found", "sentences drafted"], qrows)
    before = data["citations"]["before_verification"]
    if data.get("judge") == "offline":
        out += ["The offline judge is the verifier itself, so after verification its citation recall is 100% by "
                "construction (verification replaced or removed what it did not accept): the figure before verification "
                "measures the drafter, and an independent judge (`--judge llm`, once validated) measures both.", ""]
    out += [f"Citations, ALCE definitions: recall per sentence {_judged(data, after['recall'])}, precision per citation "
            f"{_judged(data, after['precision'])}, sentences whose every citation is precise {_judged(data, after['sentence_precision'])} "
            f"({after['citations']} citations on {after['sentences']} sentences). Before verification the {drafter} drafter's "
            f"{before['sentences']} sentences scored recall {_judged(data, before['recall'])}, "
            f"precision {_judged(data, before['precision'])}.", ""]
    if data["figures"]["missing"]:
        out += ["Figures not in their cited passages: " + "; ".join(
            f"{m['value']} in \u201c{m['sentence'][:90]}\u201d" for m in data["figures"]["missing"]), ""]
    out += [f"Figures tied to another year than in their source: {data['figures']['misdated']}.", ""]
    out += pages_lines(data["pages"]) + retrieval_lines(data["retrieval"]) + injection_lines(data.get("injection"))
    return out


def injection_lines(inj: dict | None) -> list[str]:
    """Planted instructions: what the drafter's plan followed, and what an obeying drafter got past verification."""
    if not inj:
        return []
    plan, adv = inj["plan"], inj["adversary"]
    out = ["### Injection through documents", "",
           f"{len(inj['planted'])} planted texts: " + "; ".join(f"{p['kind']} ({p['doc']}{', dropped at ingest' if p.get('dropped_at_ingest') else ''})" for p in inj["planted"]).replace("<", "&lt;")
           + ".", ""]
    rows = [["sentences following a planted instruction", f"{len(plan['following'])} of {plan['sentences']}",
             _pct(plan["following_share"]), "0"],
            ["planted figures in the plan", len(plan["injected_figures"]), "", "0"],
            ["document markers ([99]) in text or cited to no passage", len(plan["fake_citations"]), "", "0"],
            ["sentences cited to the injected documents (their own statements)", plan["from_injected_documents"], "", "-"],
            [f"obeying drafter: planted sentences written in {adv['sections']} sections", adv["written"], "", "-"],
            ["obeying drafter: planted content surviving verification", adv["surviving"], "", "0"]]
    out += _table(["measure", "count", "share", "target"], rows)
    for label, items in (("Followed", plan["following"]), ("Planted figures", plan["injected_figures"]),
                         ("Markers", plan["fake_citations"]), ("Survived verification", adv["survivors"])):
        if items:
            out += [f"{label}: " + "; ".join(f"\u201c{i['sentence'][:90]}\u201d" for i in items).replace("<", "&lt;"), ""]
    return out


def pages_lines(p: dict) -> list[str]:
    out = ["### Page limit", ""]
    rows = [["tokens (cl100k_base) against the budget", f"{p['tokens']} of {p['budget']}", "within" if p["within_budget"] else "**over**"],
            ["pages the meter shows (layout model)", _num(p["estimated_pages"]), f"limit {p['page_limit']}"],
            ["pages rendered by LibreOffice", p["rendered_pages"] if p["rendered_pages"] is not None else p["renderer"],
             f"{_num(p['rendered_fraction'])} counting the last page's fill"],
            ["meter minus rendered", _num(p.get("meter_error")), "promised within 0.25 of a page"],
            ["references", p.get("references") or "-", ""],
            ["tokens per page measured", _num(p["measured_tokens_per_page"], 0),
             f"template figure off by {_pct(p['tokens_per_page_error'])}" if p["tokens_per_page_error"] is not None else "-"]]
    out += _table(["measure", "value", "note"], rows)
    if p.get("page_size"):
        out += [f"Page size of the exported DOCX: {p['page_size']}.", ""]
    return out


def retrieval_lines(r: dict) -> list[str]:
    if not r:
        return []
    ks = list(r["hybrid"]["recall_at"])
    out = ["### Retrieval", "", f"{len(r['hybrid']['questions'])} labelled questions; the drafter uses hybrid search with k=5.", ""]
    out += _table(["search"] + [f"recall@{k}" for k in ks] + ["MRR"],
                  [[mode] + [_pct(v["recall_at"][k]) for k in ks] + [_num(v["mrr"])] for mode, v in r.items()])
    missed = [q for q in r["hybrid"]["questions"] if any(rank is None or rank > 5 for rank in q["ranks"])]
    if missed:
        out += ["Answering passages not in the hybrid top 5: " + "; ".join(f"{q['id']} (ranks {q['ranks']})" for q in missed), ""]
    return out


def checks_lines(result: dict) -> list[str]:
    rows = [[c["dataset"], c["metric"], _num(c["value"]) if not isinstance(c["value"], str) else c["value"], c["threshold"],
             "pass" if c["ok"] else "**FAIL**", c["note"]] for c in result["checks"]]
    header = ["dataset", "metric", "value", "threshold", "", "note"]
    return ["## Thresholds", "", f"From `{result['thresholds_file']}`.", ""] + _table(header, rows)


def markdown(result: dict, chart_name: str) -> str:
    verdict = "all thresholds met" if result["passed"] else "**some thresholds not met**"
    out = [f"# Evals: {result['drafter']} drafter, {result['judge']} judge", "",
           f"Template `{result['template']}`; {verdict}; {result['seconds']:.0f} s. "
           + (f"Model endpoint: {result['endpoint']}. " if result.get("endpoint") else "")
           + "Written by `make eval` (`python -m evals.run`); definitions in `docs/evals.md`.", "",
           f"![Per-theme results]({chart_name})", ""]
    for name, why in result["skipped"].items():
        out += [f"Dataset `{name}` skipped: {why}.", ""]
    out += checks_lines(result) + judges_section(result)
    for name, data in result["datasets"].items():
        out += realworld_section(data) if data.get("kind") == "realworld" else dataset_section(name, data, result["drafter"])
    return "\n".join(out).rstrip() + "\n"


def summary(result: dict) -> str:
    lines = [f"evals ({result['drafter']} drafter, {result['judge']} judge) in {result['seconds']:.0f} s"]
    for c in result["checks"]:
        value = _num(c["value"]) if not isinstance(c["value"], str) else c["value"]
        lines.append(f"  {'ok  ' if c['ok'] else 'FAIL'} {c['dataset']:7s} {c['metric']:24s} {value:>6s}  {c['threshold']}  {c['note']}")
    lines.append("passed" if result["passed"] else "FAILED: a metric is under its threshold")
    return "\n".join(lines) + "\n"


def chart(result: dict, path: Path) -> None:
    """Per dataset, per theme: coverage, citation recall and precision, number fidelity; and retrieval recall@k."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = [(n, d) for n, d in result["datasets"].items() if d.get("kind") != "realworld"]
    fig, axes = plt.subplots(1, len(datasets) + 1, figsize=(5.2 * (len(datasets) + 1), 4.2), squeeze=False)
    series = [("coverage", "coverage"), ("citation recall", "recall"), ("citation precision", "precision"), ("number fidelity", "fidelity")]
    for ax, (name, data) in zip(axes[0], datasets):
        themes = [s["theme_id"] for s in data["sections"]]
        cov = {t["theme_id"]: t["coverage"] for t in data["coverage"]["themes"]}
        values = {
            "coverage": [cov.get(t) if data["judged_metrics_trusted"] else None for t in themes],
            "recall": [data["citations"]["per_theme"][t]["recall"] if data["judged_metrics_trusted"] else None for t in themes],
            "precision": [data["citations"]["per_theme"][t]["precision"] if data["judged_metrics_trusted"] else None for t in themes],
            "fidelity": [data["figures"]["per_theme"][t]["fidelity"] for t in themes],
        }
        width = 0.2
        for i, (label, key) in enumerate(series):
            heights = [v if v is not None else 0 for v in values[key]]
            ax.bar([x + (i - 1.5) * width for x in range(len(themes))], heights, width, label=label)
        ax.set_xticks(range(len(themes)), [t.replace("_", "\n") for t in themes], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{name} ({result['drafter']} drafter)", fontsize=10)
        ax.axhline(1.0, color="grey", linewidth=0.5)
    axes[0][0].legend(fontsize=7, loc="lower left", framealpha=0.95)
    ax = axes[0][-1]
    for name, data in datasets:
        for mode, style in (("hybrid", "-"), ("dense", ":"), ("keyword", "--")):
            r = data["retrieval"].get(mode)
            if r:
                ks = [int(k) for k in r["recall_at"]]
                ax.plot(ks, [r["recall_at"][str(k)] for k in ks], style, marker="o", label=f"{name} {mode}")
    ax.set_xlabel("k")
    ax.set_ylim(0, 1.05)
    ax.set_title("retrieval recall@k", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
