"""Shared helpers for the benchmarks: timing, memory, machine facts, tables, JSON results.

The machine is shared and noisy, so every benchmark compares within one run,
as ratios, and records the load average before and after so a reader can see
how busy the machine was.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
QUICK = os.environ.get("BENCH_QUICK") == "1"  # small sizes while developing; never for the report

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "CHROMA_HOST"):
    os.environ.pop(_var, None)  # each benchmark chooses its backends explicitly


@dataclass
class Clock:
    """Wall and process-CPU seconds of a block (CPU time is less disturbed by other processes)."""

    wall: float = 0.0
    cpu: float = 0.0

    def add(self, other: "Clock") -> None:
        self.wall += other.wall
        self.cpu += other.cpu


@contextmanager
def timed():
    clock = Clock()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield clock
    finally:
        clock.wall = time.perf_counter() - wall
        clock.cpu = time.process_time() - cpu


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100), no interpolation: a reported p95 is a measured latency."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory now, in MB (Linux /proc)."""
    return _status_kb(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int | str = "self") -> float:
    return _status_kb(pid, "VmHWM") / 1024


def _status_kb(pid, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = float("nan")
    try:
        mem_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1048576, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": mem_gb,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": load_average(),
        "versions": _versions(),
    }


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "chromadb", "bm25s", "sentence-transformers", "langchain-chroma", "langchain-community", "pypdf"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def table(title: str, headers: list[str], rows: list[list]) -> str:
    """A Markdown table (it reads fine in a terminal too), with a bold title line above."""
    cells = [[_fmt(c) for c in row] for row in rows]
    lines = [f"**{title}**", "", "| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def save(name: str, data: dict, tables: list[str]) -> Path:
    """Print the tables and write results/<name>.json (with the machine and the tables themselves)."""
    text = "\n\n".join(tables)
    print(text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "quick": QUICK, "finished": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(),
               "results": data, "tables": text}
    path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    return path
