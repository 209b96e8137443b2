"""Start-up: `assistant --help` as a user runs it (a new process each time). Target: under 1 s.

Also lists which heavy modules importing the CLI pulls in: none should be, the
model, Chroma and BM25 load when a command first needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import QUICK, percentile, save, table, timed, verdict

RUNS = 5 if QUICK else 15
TARGET_S = 1.0
HEAVY = ["torch", "chromadb", "sentence_transformers", "transformers", "bm25s", "langchain_text_splitters",
         "pypdf", "docx", "tiktoken", "openai", "gradio", "numpy"]


def main() -> dict:
    cli = Path(sys.executable).with_name("assistant")
    subprocess.run([str(cli), "--help"], check=True, capture_output=True)  # warm the OS file cache once
    times = []
    for _ in range(RUNS):
        with timed() as clock:
            subprocess.run([str(cli), "--help"], check=True, capture_output=True)
        times.append(clock.wall)
    probe = "import sys, json, assistant.cli; print(json.dumps(sorted(m for m in %r if m in sys.modules)))" % HEAVY
    imported = json.loads(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout)
    p50, worst = percentile(times, 50), max(times)
    rows = [["`assistant --help`", RUNS, f"{p50:.2f}", f"{percentile(times, 95):.2f}", f"{worst:.2f}",
             ", ".join(imported) or "none", f"< {TARGET_S:.0f} s: {verdict(p50 < TARGET_S)}"]]
    data = {"runs": RUNS, "seconds": times, "p50_s": p50, "max_s": worst, "heavy_modules_imported": imported,
            "targets": {"p50_s": TARGET_S}}
    save("startup", data, [table("Start-up (new process each run)", ["Command", "Runs", "p50 s", "p95 s", "max s",
                                                                       "Heavy modules imported", "Target"], rows)])
    return data


if __name__ == "__main__":
    main()
