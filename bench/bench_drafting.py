"""Drafting the whole plan for the sample corpus: offline, and the LLM path's time outside the model.

The corpus is ingested once; each measurement then runs in a fresh process, as
`assistant draft` does: the model load and the store's opening are timed on their own, then the plan with
every cache cold (the figure the target is about), then the same plan again in
that process (caches warm). The LLM path talks to an in-process OpenAI-compatible
server that answers at once (tests/llm/fake_openai.py), so what is measured is
everything around the model: retrieval, prompts, HTTP, parsing, verification,
budget. Target: the offline plan in <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, load_average, save, table, timed, verdict

TARGET_S = 5.0


def measure(data_dir: Path, drafter: str) -> dict:
    from assistant.api import Assistant
    from assistant.config import Settings
    from assistant.grammar import has_main_verb

    fake = None
    if drafter == "llm":
        from tests.llm.fake_openai import FakeOpenAI

        fake = FakeOpenAI().__enter__()
        os.environ["OPENAI_BASE_URL"] = fake.base_url
        os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
    try:
        assistant = Assistant(Settings(data_dir=data_dir, openai_model="fake-model"))
        # Start-up, timed apart: loading the models (embedder, sentence parser) and opening the store
        # (importing Chroma alone takes 1-2 s here). `assistant draft` end to end, below, includes them.
        with timed() as model_load:
            assistant.embedder.embed_query("warm up the model")
            assistant.store.count()
            has_main_verb("The parser is loaded with the model.")  # spaCy's import and model, about 1.5 s here
        with timed() as cold:
            plan = assistant.draft_plan(drafter=drafter)
        calls = len(fake.requests) if fake else 0
        with timed() as warm:
            assistant.draft_plan(drafter=drafter)
        return {
            "drafter": drafter, "model_load_s": model_load.wall, "cold_s": cold.wall, "warm_s": warm.wall,
            "sections": len(plan.sections), "sentences": sum(len(s.sentences) for s in plan.sections),
            "model_calls": calls, "drafters_used": sorted({s.drafter for s in plan.sections}),
        }
    finally:
        if fake is not None:
            fake.__exit__(None, None, None)


def _child(data_dir: Path, drafter: str) -> dict:
    cmd = [sys.executable, "-m", "bench.bench_drafting", "--measure", str(data_dir), "--drafter", drafter]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    from assistant.api import Assistant
    from assistant.config import Settings

    with tempfile.TemporaryDirectory(prefix="bench-draft-") as tmp:
        data_dir = Path(tmp) / "data"
        report = Assistant(Settings(data_dir=data_dir)).ingest([ROOT / "corpus"])
        assert report.ok, report.failed
        load_before = load_average()
        offline = _child(data_dir, "offline")
        llm = _child(data_dir, "llm")
        with timed() as cli:  # end to end, as an officer runs it: start-up, model load, retrieval, draft, export
            subprocess.run([str(Path(sys.executable).with_name("assistant")), "--data-dir", str(data_dir), "draft",
                            "--out", str(Path(tmp) / "plan.md")], check=True, capture_output=True, cwd=ROOT,
                           env={**os.environ, "ASSISTANT_DRAFTER": "offline"})
        load_after = load_average()

    llm_ok = llm["drafters_used"] and all(d.startswith("llm") for d in llm["drafters_used"])
    rows = [
        ["Offline, whole plan", f"{offline['cold_s']:.2f}", f"{offline['warm_s']:.2f}", f"{offline['model_load_s']:.1f}",
         offline["sentences"], "-", f"<= {TARGET_S:.0f} s (cold): {verdict(offline['cold_s'] <= TARGET_S)}"],
        ["LLM path, time outside the model", f"{llm['cold_s']:.2f}", f"{llm['warm_s']:.2f}", f"{llm['model_load_s']:.1f}",
         llm["sentences"], f"{llm['model_calls']} ({llm['cold_s'] / max(1, llm['model_calls']) * 1000:.0f} ms each)",
         "" if llm_ok else f"WARNING: sections fell back: {llm['drafters_used']}"],
        ["`assistant draft` end to end (offline)", f"{cli.wall:.1f}", "", "", "", "", "start-up + model load + draft + export"],
    ]
    title = (f"Drafting the sample plan (4 themes, sample corpus), fresh process; "
             f"load average {load_before} -> {load_after}")
    headers = ["Run", "Cold s", "Warm s (same process)", "Model + store load s", "Sentences", "Model calls", "Target / note"]
    data = {"offline": offline, "llm": llm, "cli_end_to_end_s": cli.wall, "targets": {"offline_s": TARGET_S},
            "load_average_before": load_before, "load_average_after": load_after}
    save("drafting", data, [table(title, headers, rows)])
    return data


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", type=Path)
    parser.add_argument("--drafter", default="offline")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.drafter)))
    else:
        main()
