"""`make bench`: run every benchmark (or the ones named), each in its own process, then the headlines.

    .venv/bin/python -m bench.run                  # all of them
    .venv/bin/python -m bench.run retrieval ingest # some
    BENCH_QUICK=1 .venv/bin/python -m bench.run    # small sizes, for working on the benchmarks

Each benchmark prints its table and writes bench/results/<name>.json; this
writes bench/results/report.md with every table, the machine and the headlines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.common import QUICK, RESULTS, ROOT, machine

# Quick ones first, so a problem shows early; ingest last (the longest, and the one most
# sensitive to the machine's load, so it runs after the others have stopped their processes).
BENCHMARKS = ["startup", "drafting", "baseline", "retrieval", "ingest"]


def headlines(results: dict) -> list[str]:
    out = []

    def line(text: str, ok: bool | None) -> None:
        out.append(f"- {'' if ok is None else ('met: ' if ok else 'MISSED: ')}{text}")

    if r := results.get("startup"):
        line(f"start-up: `assistant --help` p50 {r['p50_s']:.2f} s (target < {r['targets']['p50_s']:.0f} s)",
             r["p50_s"] < r["targets"]["p50_s"])
    if r := results.get("ingest"):
        line(f"ingest: {r['pages']} pages, {r['chunks']} chunks at {r['ingest']['pages_per_s']:.1f} pages/s, "
             f"{r['ingest']['chunks_per_s']:.1f} chunks/s = {r['ratio_wall']:.3f} of the embedding bound "
             f"(CPU-time ratio {r['ratio_cpu']:.2f}; target >= {r['targets']['ratio']})", r["ratio_wall"] >= r["targets"]["ratio"])
        share = r["reingest"]["share_of_ingest"]
        line(f"re-ingest unchanged: {r['reingest']['wall_s']:.2f} s = {share:.2%} of the first ingest "
             f"(target <= {r['targets']['reingest_share']:.0%})", share <= r["targets"]["reingest_share"])
    if r := results.get("retrieval"):
        largest = max(x["size"] for x in r["results"])
        for x in r["results"]:
            if x["size"] == largest:
                line(f"retrieval at {largest:,} chunks ({x['mode']}): p50 {x['p50_ms']:.1f} ms, p95 {x['p95_ms']:.1f} ms, "
                     f"RSS {x['rss_mb']:.0f} MB (target p95 <= {r['targets']['p95_ms_at_largest']:.0f} ms)",
                     x["p95_ms"] <= r["targets"]["p95_ms_at_largest"])
    if r := results.get("drafting"):
        o, m = r["offline"], r["llm"]
        line(f"offline plan: {o['cold_s']:.2f} s cold in a fresh process, model and store loaded (target <= {r['targets']['offline_s']:.0f} s); "
             f"{o['warm_s']:.2f} s warm", o["cold_s"] <= r["targets"]["offline_s"])
        line(f"LLM path outside the model: {m['cold_s']:.2f} s cold for {m['model_calls']} model calls; {m['warm_s']:.2f} s warm", None)
    if r := results.get("baseline"):
        for name, c in r["corpora"].items():
            n, h = c["naive"], c["ours_hybrid"]
            beaten = h["recall_at_10"] >= n["recall_at_10"] and h["mrr"] >= n["mrr"]
            line(f"vs naive LangChain RAG on the {name}: recall@10 {h['recall_at_10']:.3f} vs {n['recall_at_10']:.3f}, "
                 f"MRR {h['mrr']:.3f} vs {n['mrr']:.3f}, ingest {h['ingest_s']:.1f} s vs {n['ingest_s']:.1f} s", beaten)
    return out


DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- BEGIN RESULTS: written by `make bench` (bench/run.py) -->", "<!-- END RESULTS -->"


def record_in_docs(report: str) -> None:
    """Put the latest tables into docs/benchmarks.md between its markers, so the page
    shows what the last full-size runs measured: every benchmark's latest result, so it is
    written only once each has one (QUICK runs never touch it)."""
    if not DOCS.exists():
        return
    text = DOCS.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return
    head, _, rest = text.partition(BEGIN)
    DOCS.write_text(f"{head}{BEGIN}\n{report.strip()}\n{END}{rest.partition(END)[2]}", encoding="utf-8")


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    chosen = [b for b in BENCHMARKS if not names or b in names]
    started = time.perf_counter()
    failed = []
    durations = {}
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        t = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", f"bench.bench_{name}"], cwd=ROOT).returncode
        durations[name] = time.perf_counter() - t
        if code != 0:
            failed.append(name)
    results = {}
    for name in BENCHMARKS:  # the latest result of every benchmark, including earlier runs of the others
        path = RESULTS / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    lines = headlines({k: v["results"] for k, v in results.items()})
    m = machine()
    report = [
        "# Benchmark report" + (" (QUICK sizes: not for the record)" if QUICK else ""), "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, Python {m['python']}, "
        f"{', '.join(f'{k} {v}' for k, v in m['versions'].items() if v)}.", "",
        "## Headlines", "", *lines, "",
        *(f"{results[n]['tables']}\n\n_{n}: finished {results[n]['finished']}, load average then "
          f"{results[n]['machine']['load_average']}_\n" for n in BENCHMARKS if n in results),
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    missing = [n for n in BENCHMARKS if n not in results]
    if not QUICK and not failed and not missing:
        record_in_docs("\n".join(report[2:]))
    elif missing and not QUICK:
        print(f"docs/benchmarks.md left as it was: no result yet for {', '.join(missing)} (`make bench` runs all)")
    print("\n=== headlines ===")
    print("\n".join(lines))
    print(f"\n{len(chosen)} benchmark(s) in {time.perf_counter() - started:.0f} s "
          f"({', '.join(f'{k} {v:.0f} s' for k, v in durations.items())}); report: {RESULTS / 'report.md'}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
