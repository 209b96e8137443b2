"""Grounding figures for the LLM drafter (Qwen2.5-Coder-1.5B on llama.cpp) next to the offline drafter's.

Drafts the sample corpus both ways and writes evals/results/llm-grounding.{json,md}:
per drafter and section, sentences, share cited, figure fidelity, share copied
verbatim, verification changes, tokens against allowance and time.
Run: make eval-llm  (about 15-20 minutes on 2 cores, most of it the model)

The support figure is the offline judge's (word overlap + embedding similarity);
it is not yet validated against labelled pairs, so it is reported as a signal,
not a result (the evals issue adds the validated metrics).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.config import PROJECT_ROOT, Settings
from assistant.llm.local_models import ensure_model
from assistant.llm.local_server import serve
from assistant.figures import figures
from assistant.sentences import normalise
from assistant.verify import unsupported_figures

RESULTS = PROJECT_ROOT / "evals" / "results"


def section_figures(section, seconds: float) -> dict:
    evidence = section.evidence_by_number()
    sentences = section.sentences
    cited = [s for s in sentences if s.citations]
    n_figures = n_exact = verbatim = 0
    for s in cited:
        passages = " ".join(evidence[n].text for n in s.citations)
        found = figures(s.text)
        n_figures += len(found)
        n_exact += len(found) - len(unsupported_figures(s.text, passages))
        verbatim += normalise(s.text) in normalise(passages)
    return {
        "theme_id": section.theme_id,
        "drafter": section.drafter,
        "sentences": len(sentences),
        "cited_share": len(cited) / len(sentences) if sentences else None,
        "figures": n_figures,
        "figure_fidelity": n_exact / n_figures if n_figures else None,
        "verbatim_share": verbatim / len(sentences) if sentences else None,
        "support_ge_0_5_share": sum((s.support or 0) >= 0.5 for s in sentences) / len(sentences) if sentences else None,
        "verification_changes": len(section.notes),
        "gaps": [g.question_id for g in section.gaps],
        "tokens": section.tokens,
        "allowance": section.allowance,
        "seconds": round(seconds, 1),
    }


def draft_timed(assistant: Assistant, drafter: str) -> list[dict]:
    rows = []
    for theme in assistant.template.themes:
        start = time.perf_counter()
        section = assistant.draft_section(theme.id, drafter=drafter)
        rows.append(section_figures(section, time.perf_counter() - start))
    return rows


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0%}" if value <= 1 else f"{value:.1f}"
    return str(value)


def markdown(results: dict) -> str:
    cols = ["theme_id", "sentences", "cited_share", "figure_fidelity", "verbatim_share", "support_ge_0_5_share",
            "verification_changes", "tokens", "allowance", "seconds"]
    out = ["# LLM grounding: Qwen2.5-Coder-1.5B (llama.cpp) against the offline drafter", ""]
    for name, rows in results["drafters"].items():
        out += [f"## {name}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        out += ["| " + " | ".join(_fmt(r[c]) for c in cols) + " |" for r in rows]
        out.append("")
    out.append("Support is the offline judge's score, not yet validated on labelled pairs: a signal, not a result.")
    return "\n".join(out) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Assistant(Settings(data_dir=Path(tmp)))
        base.ingest([PROJECT_ROOT / "corpus"])
        results = {"drafters": {"offline": draft_timed(base, "offline")}}
        with serve(ensure_model("qwen"), n_ctx=4096) as url:
            os.environ["OPENAI_BASE_URL"] = url
            os.environ.setdefault("ASSISTANT_LLM_TIMEOUT", "600")
            llm = Assistant(base.settings.with_(openai_model="local", llm_concurrency=1))
            results["drafters"]["llm (qwen2.5-coder-1.5b)"] = draft_timed(llm, "llm")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "llm-grounding.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (RESULTS / "llm-grounding.md").write_text(markdown(results), encoding="utf-8")
    sys.stdout.write(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
