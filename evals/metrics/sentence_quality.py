"""The drafter's sentence filter on real sentences: precision and recall against hand labels.

The offline drafter only drafts a sentence `assistant.sentences.sentence_problem` returns None for.
Its rules were written on the fictional sample corpus; this measures them on the public documents
of seven councils (../shared/realworld). The labels
(evals/datasets/sentence_filter/sentences_realworld.yaml) name each sentence by council, file and
key only; the candidates are regenerated here with the frozen extractor `evals.sentence_quality`
and matched by key, so no document text is ever committed.

Positive = the filter KEEPS the sentence (returns None):
- precision = kept and labelled draftable / kept   (how much of what the drafter may pick is fit);
- recall    = kept and labelled draftable / labelled draftable (how much fit prose it can use);
- for each not-draftable reason, the share the filter rejects (for ANY reason: the drafter only
  asks keep-or-drop, so a table row rejected as a "fragment" is still a catch).

Everything is reported for dev and heldout separately: the heldout councils must not be looked
at while the filter is changed, so error lists print dev only unless asked. Error lists may print
sentence text to the terminal (`--text`); `--out` writes numbers and keys, never text.

    python -m evals.metrics.sentence_quality                   # table + dev errors (keys)
    python -m evals.metrics.sentence_quality --text --limit 40 # dev errors with their text
    python -m evals.metrics.sentence_quality --filter mymod:fn # score another filter
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.config import PROJECT_ROOT
from assistant.sentences import PROBLEMS, sentence_problem
from evals.realworld import realworld_dir
from evals.sentence_quality import candidates

# In a subfolder on purpose: evals.run loads every evals/datasets/*.yaml (but judge_pairs) as a
# drafting dataset, and this file is not one.
LABELS = PROJECT_ROOT / "evals" / "datasets" / "sentence_filter" / "sentences_realworld.yaml"
SETS = ("dev", "heldout")
SAMPLES = ("uniform", "long")

Filter = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Label:
    council: str
    file: str
    key: str
    draftable: bool
    reason: str | None
    set: str
    sample: str = "uniform"

    @property
    def verdict(self) -> str:
        return "draftable" if self.draftable else str(self.reason)


def load_labels(path: Path | None = None) -> list[Label]:
    raw = yaml.safe_load(Path(path or LABELS).read_text(encoding="utf-8")) or {}
    return [Label(e["council"], e["file"], str(e["key"]), bool(e["draftable"]), e.get("reason"), e["set"],
                  e.get("sample", "uniform")) for e in raw.get("sentences") or []]


def label_problems(labels: Iterable[Label]) -> list[str]:
    """What is wrong with a label set (empty when well-formed); the tests assert on it."""
    problems, seen = [], set()
    for lab in labels:
        where = f"{lab.council}/{lab.file} {lab.key}"
        if lab.key in seen:
            problems.append(f"{where}: key labelled twice")
        seen.add(lab.key)
        if len(lab.key) != 12 or any(c not in "0123456789abcdef" for c in lab.key):
            problems.append(f"{where}: key is not 12 hex digits")
        if lab.draftable and lab.reason is not None:
            problems.append(f"{where}: draftable but has a reason")
        if not lab.draftable and lab.reason not in PROBLEMS:
            problems.append(f"{where}: not draftable, reason {lab.reason!r} is not one of PROBLEMS")
        if lab.set not in SETS:
            problems.append(f"{where}: set {lab.set!r} is not dev or heldout")
        if lab.sample not in SAMPLES:
            problems.append(f"{where}: sample {lab.sample!r} is not uniform or long")
        if not lab.file.endswith(".txt"):
            problems.append(f"{where}: file is not a .txt")
    return problems


def match(labels: Iterable[Label], folder: Path | None = None) -> tuple[list[tuple[Label, str]], list[Label]]:
    """(label, sentence text) for each label found among its file's candidates, and the labels not found."""
    folder = folder or realworld_dir()
    cache: dict[tuple[str, str], dict[str, str]] = {}
    found, missing = [], []
    for lab in labels:
        if (lab.council, lab.file) not in cache:
            path = folder / lab.council / lab.file
            cache[(lab.council, lab.file)] = dict(candidates(path)) if path.is_file() else {}
        text = cache[(lab.council, lab.file)].get(lab.key)
        if text is None:
            missing.append(lab)
        else:
            found.append((lab, text))
    return found, missing


@dataclass
class Error:
    key: str
    council: str
    file: str
    label: str     # "draftable" or the labelled reason
    verdict: str   # "kept" or the filter's reason
    set: str
    text: str = field(default="", repr=False)  # run-time only: never written by to_dict

    def to_dict(self) -> dict:
        return {"key": self.key, "council": self.council, "file": self.file, "label": self.label,
                "verdict": self.verdict, "set": self.set}


@dataclass
class Scores:
    kept_draftable: int = 0    # true positives
    kept_junk: int = 0         # false positives: the drafter may pick these
    dropped_draftable: int = 0  # false negatives: fit prose the drafter cannot use
    dropped_junk: int = 0      # true negatives
    by_reason: dict[str, list[int]] = field(default_factory=dict)  # reason -> [labelled, rejected]

    @property
    def n(self) -> int:
        return self.kept_draftable + self.kept_junk + self.dropped_draftable + self.dropped_junk

    @property
    def precision(self) -> float | None:
        kept = self.kept_draftable + self.kept_junk
        return self.kept_draftable / kept if kept else None

    @property
    def recall(self) -> float | None:
        draftable = self.kept_draftable + self.dropped_draftable
        return self.kept_draftable / draftable if draftable else None

    def rejected_share(self, reason: str) -> float | None:
        labelled, rejected = self.by_reason.get(reason, [0, 0])
        return rejected / labelled if labelled else None

    def add(self, lab: Label, kept: bool) -> None:
        if lab.draftable:
            if kept:
                self.kept_draftable += 1
            else:
                self.dropped_draftable += 1
            return
        if kept:
            self.kept_junk += 1
        else:
            self.dropped_junk += 1
        counts = self.by_reason.setdefault(str(lab.reason), [0, 0])
        counts[0] += 1
        counts[1] += 0 if kept else 1

    def to_dict(self) -> dict:
        return {"n": self.n, "precision": _round(self.precision), "recall": _round(self.recall),
                "kept_draftable": self.kept_draftable, "kept_junk": self.kept_junk,
                "dropped_draftable": self.dropped_draftable, "dropped_junk": self.dropped_junk,
                "rejected_by_reason": {r: {"labelled": c[0], "rejected": c[1], "share": _round(c[1] / c[0])}
                                       for r, c in sorted(self.by_reason.items())}}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass
class Report:
    splits: dict[str, Scores]   # "all", "dev", "heldout", and "<set>/<sample>"
    errors: list[Error]
    unmatched: list[Label]

    def to_dict(self, error_sets: Iterable[str] = ("dev",)) -> dict:
        """Numbers and keys only: what a results file may hold (heldout errors left out by default)."""
        wanted = set(error_sets)
        return {"splits": {name: s.to_dict() for name, s in self.splits.items()},
                "errors": [e.to_dict() for e in self.errors if e.set in wanted],
                "unmatched": [f"{lab.council}/{lab.file} {lab.key}" for lab in self.unmatched]}


def score(matched: Iterable[tuple[Label, str]], filter_fn: Filter = sentence_problem,
          unmatched: Iterable[Label] = ()) -> Report:
    """Apply the filter to each labelled sentence and count keep/drop against the label."""
    splits: dict[str, Scores] = {"all": Scores()}
    errors: list[Error] = []
    for lab, text in matched:
        problem = filter_fn(text)
        kept = problem is None
        for name in ("all", lab.set, f"{lab.set}/{lab.sample}"):
            splits.setdefault(name, Scores()).add(lab, kept)
        if kept != lab.draftable:
            errors.append(Error(lab.key, lab.council, lab.file, lab.verdict, "kept" if kept else str(problem),
                                lab.set, text))
    return Report(splits, errors, list(unmatched))


def evaluate(filter_fn: Filter = sentence_problem, labels: list[Label] | None = None,
             folder: Path | None = None) -> Report:
    labels = load_labels() if labels is None else labels
    found, missing = match(labels, folder)
    return score(found, filter_fn, missing)


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def table(report: Report) -> str:
    names = [n for n in ("all", "dev", "heldout", "dev/uniform", "dev/long", "heldout/uniform", "heldout/long")
             if n in report.splits]
    lines = [f"{'split':<16}{'n':>5}{'precision':>11}{'recall':>8}{'kept junk':>11}{'dropped ok':>12}"]
    for n in names:
        s = report.splits[n]
        lines.append(f"{n:<16}{s.n:>5}{_fmt(s.precision):>11}{_fmt(s.recall):>8}{s.kept_junk:>11}"
                     f"{s.dropped_draftable:>12}")
    lines.append("")
    lines.append("share of not-draftable sentences the filter rejects, by labelled reason")
    lines.append(f"{'reason':<18}" + "".join(f"{n:>16}" for n in ("all", "dev", "heldout")))
    for reason in PROBLEMS:
        cells = []
        for n in ("all", "dev", "heldout"):
            s = report.splits.get(n)
            labelled, rejected = s.by_reason.get(reason, [0, 0]) if s else (0, 0)
            cells.append(f"{rejected}/{labelled} {_fmt(rejected / labelled if labelled else None)}")
        lines.append(f"{reason:<18}" + "".join(f"{c:>16}" for c in cells))
    if report.unmatched:
        lines.append("")
        lines.append(f"{len(report.unmatched)} labels match no candidate:")
        lines.extend(f"  {lab.council}/{lab.file} {lab.key}" for lab in report.unmatched)
    return "\n".join(lines)


def load_filter(spec: str) -> Filter:
    """'package.module:function' -> the function, to score a candidate filter against the same labels."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "sentence_problem")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--filter", default="assistant.sentences:sentence_problem", help="module:function")
    parser.add_argument("--errors", choices=("dev", "heldout", "all", "none"), default="dev",
                        help="whose errors to list (heldout only when you are not changing the filter)")
    parser.add_argument("--text", action="store_true", help="print each error's sentence (terminal only)")
    parser.add_argument("--limit", type=int, default=0, help="list at most N errors")
    parser.add_argument("--out", type=Path, help="write numbers and dev error keys as JSON (no text)")
    args = parser.parse_args(argv)

    labels = load_labels(args.labels)
    bad = label_problems(labels)
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 2
    if not realworld_dir().is_dir():
        print(f"no real-world folder at {realworld_dir()}", file=sys.stderr)
        return 2
    report = evaluate(load_filter(args.filter), labels)
    print(table(report))
    shown = [e for e in report.errors if args.errors == "all" or e.set == args.errors]
    if args.errors != "none" and shown:
        shown.sort(key=lambda e: (e.verdict == "kept", e.label, e.council, e.file))
        print(f"\n{len(shown)} errors ({args.errors}): key, file, label -> filter verdict")
        for e in shown[: args.limit or None]:
            print(f"  {e.key}  {e.council}/{e.file}  {e.label} -> {e.verdict}")
            if args.text:
                print(f"      {e.text}")
    if args.out:
        error_sets = ("dev", "heldout") if args.errors == "all" else ("dev",)
        args.out.write_text(json.dumps(report.to_dict(error_sets), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
