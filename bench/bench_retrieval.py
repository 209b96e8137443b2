"""Hybrid retrieval latency (p50, p95) and resident memory at 1k, 10k and 100k chunks,
on the local store and on a Chroma server (`chroma run` on loopback).

Each (mode, size) runs in its own processes, so resident memory is its own: one builds
the BM25 index from the store (what the first query after an ingest pays), the next
loads it and answers the queries (what every later command does).
Every query is a different text, so no cache answers it: the latency includes
embedding the query with the real model, Chroma's dense search, BM25 over the
whole store and fetching the keyword hits' chunks. Target: p95 <= 50 ms at 100k.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import QUICK, load_average, peak_rss_mb, percentile, rss_mb, save, table, timed, verdict
from bench.synth import SERVICES

SIZES = [1_000, 10_000] if QUICK else [1_000, 10_000, 100_000]
QUERIES = 30 if QUICK else 120
TARGET_P95_MS = 50.0


def questions(count: int, seed: int) -> list[str]:
    """Distinct officer-style questions (distinct, so the embedder's cache never answers one)."""
    rng = random.Random(seed)
    forms = [
        "How much did the {s} service save in {y}?", "What did the council spend on {s} in {y}/{n}?",
        "Which savings came from {s} and {t}?", "How has satisfaction with {s} changed since {y}?",
        "What pressures does {s} face after {y}?", "Where is {s} using automation or data?",
    ]
    out: dict[str, None] = {}
    while len(out) < count:
        y = rng.randint(2019, 2025)
        q = rng.choice(forms).format(s=rng.choice(SERVICES), t=rng.choice(SERVICES), y=y, n=(y + 1) % 100)
        out[f"{q} ({len(out)})" if q in out else q] = None
    return list(out)


# -- one (mode, size) measurement, in its own process -------------------------------------------
def measure(data_dir: Path, size: int, host: str | None, port: int | None, phase: str) -> dict:
    """phase 'build': the keyword index from scratch (after an ingest changed the store);
    phase 'query': a new process, as a CLI command is: load the saved index, then the queries."""
    from assistant.config import Settings
    from assistant.embed import get_embedder
    from assistant.retrieve import HybridRetriever
    from assistant.store import ChunkStore

    settings = Settings(data_dir=data_dir, chroma_host=host, chroma_port=port or 8000)
    embedder = get_embedder(settings.embedder)
    embedder.embed_query("warm up the model")
    store = ChunkStore(settings, embedder)
    assert store.count() == size, (store.count(), size)
    rss_base = rss_mb()
    retriever = HybridRetriever(store, embedder)
    if phase == "build":
        shutil.rmtree(retriever.index_root, ignore_errors=True)  # the cold build, not an earlier run's
        with timed() as build:
            retriever.keyword_index()
        return {"keyword_index_build_s": build.wall, "rss_build_peak_mb": peak_rss_mb()}
    with timed() as load:
        retriever.keyword_index()

    qs = questions(QUERIES * 2 + 3, seed=size)
    for q in qs[:3]:
        retriever.search(q, k=8)  # warm-up: first-call costs are not latency
    latencies = []
    for q in qs[3 : 3 + QUERIES]:
        with timed() as clock:
            hits = retriever.search(q, k=8)
        assert hits
        latencies.append(clock.wall * 1000)

    # Where the time goes, on the other half of the questions.
    parts: dict[str, list[float]] = {"embed query": [], "dense (Chroma)": [], "keyword (BM25)": [], "fetch final hits": []}
    index = retriever.keyword_index()
    for q in qs[3 + QUERIES :]:
        with timed() as c1:
            vector = embedder.embed_query(q)
        with timed() as c2:
            dense = store.query(vector, retriever.candidates)
        with timed() as c3:
            sparse = index.search(q, retriever.candidates)
        final = list(dict.fromkeys([cid for cid, _, _ in dense[:4]] + [cid for cid, _, _ in sparse[:8]]))[:8]  # k=8, as search fetches
        with timed() as c4:
            store.chunks_by_id(final)
        for name, clock in zip(parts, (c1, c2, c3, c4)):
            parts[name].append(clock.wall * 1000)
    return {
        "size": size, "mode": "server" if host else "local", "queries": len(latencies),
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95), "max_ms": max(latencies),
        "parts_p50_ms": {name: percentile(v, 50) for name, v in parts.items()},
        "keyword_index_load_s": load.wall, "rss_base_mb": rss_base, "rss_mb": rss_mb(),
    }


def _child(data_dir: Path, size: int, host: str | None = None, port: int | None = None) -> dict:
    result = {}
    for phase in ("build", "query"):
        cmd = [sys.executable, "-m", "bench.bench_retrieval", "--measure", str(data_dir), "--size", str(size), "--phase", phase]
        if host:
            cmd += ["--host", host, "--port", str(port)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return result


# -- the whole benchmark -----------------------------------------------------------------------
def main() -> dict:
    from bench.chroma_server import chroma_server
    from bench.synthetic_store import build

    stores = {}
    for size in SIZES:
        with timed() as clock:
            stores[size] = build(size)
        print(f"store of {size:,} synthetic chunks ready in {clock.wall:.0f} s", flush=True)
    load_before = load_average()
    results = [_child(stores[size], size) for size in SIZES]
    for size in SIZES:
        # A copy: the server gets its own temp path, and the cached store stays untouched.
        with tempfile.TemporaryDirectory(prefix="bench-chroma-server-") as tmp:
            shutil.copytree(stores[size] / "chroma", Path(tmp) / "chroma")
            with chroma_server(Path(tmp) / "chroma") as server:
                result = _child(Path(tmp) / "client", size, server.host, server.port)
                result["server_rss_mb"] = rss_mb(server.pid)
                results.append(result)
    load_after = load_average()

    rows = []
    for r in results:
        target = ""
        if r["size"] == max(SIZES):
            target = f"<= {TARGET_P95_MS:.0f} ms: {verdict(r['p95_ms'] <= TARGET_P95_MS)}"
        parts = r["parts_p50_ms"]
        rows.append([r["mode"], f"{r['size']:,}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}",
                     " / ".join(f"{v:.1f}" for v in parts.values()),
                     f"{r['keyword_index_build_s']:.1f} / {r['keyword_index_load_s']:.2f}",
                     f"{r['rss_mb']:.0f} ({r['rss_mb'] - r['rss_base_mb']:+.0f})"
                     + (f"; server {r['server_rss_mb']:.0f}" if "server_rss_mb" in r else ""),
                     f"{r['rss_build_peak_mb']:.0f}", target])
    title = (f"Hybrid retrieval, k=8 from 40 dense + 40 BM25 candidates, {QUERIES} distinct queries per row "
             f"(load average {load_before} -> {load_after})")
    headers = ["Store", "Chunks", "p50 ms", "p95 ms", "p50 parts: embed / dense / BM25 / fetch ms",
               "BM25 index build / load s", "RSS MB after queries (+ since store opened)", "Peak RSS MB building BM25", "Target"]
    data = {"results": results, "load_average_before": load_before, "load_average_after": load_after,
            "targets": {"p95_ms_at_largest": TARGET_P95_MS}}
    save("retrieval", data, [table(title, headers, rows)])
    return data


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", type=Path)
    parser.add_argument("--size", type=int)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--phase", choices=["build", "query"], default="query")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.size, args.host, args.port, args.phase)))
    else:
        main()
