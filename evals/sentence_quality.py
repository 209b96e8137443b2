"""Candidate sentences of the real-world documents, for hand-labelling the drafter's sentence filter.

The labels in evals/datasets/sentence_filter/sentences_realworld.yaml name sentences by key only
(no text is ever committed: the documents in ../shared/realworld must not be copied into the
repository), so the labels stay valid only while the same text yields the same sentences. This
extractor is therefore frozen and independent of the product's loaders and splitters, which other work changes:

1. only the `.txt` files are read (for Kent the `.txt` beside each PDF is its `pdftotext -layout`
   output, kept because its table rows, page furniture and minutes are what the filter must catch);
2. the provenance header (SOURCE/TITLE/DATE/STATUS then `---`) is dropped with
   `evals.realworld.strip_header`;
3. a form feed (pdftotext's page break) counts as a blank line: a page's footer and the next
   page's heading must not be glued onto the paragraph they interrupt;
4. paragraphs are split on blank lines; a paragraph's lines are joined with single spaces, except
   that a line ending in letter + hyphen whose next line starts lower case is joined with no space
   and the hyphen kept ("risk-" + "based" -> "risk-based"): in these files a line-end hyphen is
   almost always a compound ("long-term", "one-off", "semi-independent"), not a soft hyphen;
5. whitespace is collapsed and each paragraph is split with pysbd (English, clean=False);
6. a sentence's KEY is the first 12 hex digits of sha1 of the raw pysbd sentence lower-cased with
   everything except [a-z0-9] removed. The key is taken before any numbering is stripped, so it
   does not depend on the product's `strip_numbering`;
7. the TEXT of a candidate (what is labelled and what the filter is shown) is the sentence with
   its leading paragraph number or bullet removed by `assistant.sentences.strip_numbering`,
   because the offline drafter strips numbering before it asks `sentence_problem`: labelling the
   unstripped text would count "2.1" against sentences the drafter never sees with it.

A key repeated within a file (page headers, repeated table captions) is kept once, at its first
position; a sentence with no letters or digits has no key and is skipped.

    python -m evals.sentence_quality kent/minutes_cabinet_30jan2025.txt   # dump candidates
    python -m evals.sentence_quality kent --sample 30 --seed 1            # a sample per file
The dump prints document text to the terminal for labelling; never paste it into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from functools import lru_cache
from pathlib import Path

from assistant.sentences import strip_numbering
from evals.realworld import realworld_dir, strip_header

_LINE_END_HYPHEN = re.compile(r"[A-Za-z]-$")


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentence_key(sentence: str) -> str:
    """First 12 hex of sha1 of the sentence reduced to [a-z0-9]: names a sentence without its text."""
    squashed = re.sub(r"[^a-z0-9]", "", sentence.lower())
    return hashlib.sha1(squashed.encode("utf-8")).hexdigest()[:12] if squashed else ""


def _join_lines(lines: list[str]) -> str:
    """One paragraph's lines as one line (step 4 of the module docstring)."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and _LINE_END_HYPHEN.search(out) and line[0].islower():
            out += line  # "risk-" + "based": keep the hyphen, drop the break
        else:
            out = f"{out} {line}" if out else line
    return " ".join(out.split())


def paragraphs(text: str) -> list[str]:
    """The document's paragraphs, header stripped, each on one line."""
    body = strip_header(text).replace("\r\n", "\n").replace("\f", "\n\n")
    return [p for p in (_join_lines(block.split("\n")) for block in re.split(r"\n[ \t]*\n", body)) if p]


def candidates_of_text(text: str) -> list[tuple[str, str]]:
    """(key, text) of each sentence of a document's text, first occurrence of each key only."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for para in paragraphs(text):
        for raw in _segmenter().segment(para):
            raw = " ".join(raw.split())
            key = sentence_key(raw)
            if not key or key in seen:
                continue
            seen.add(key)
            out.append((key, strip_numbering(raw) or raw))
    return out


def candidates(path: Path | str) -> list[tuple[str, str]]:
    """(key, text) of each candidate sentence of one real-world `.txt` file."""
    path = Path(path)
    if path.suffix != ".txt":
        raise ValueError(f"only .txt files are candidates: {path.name}")
    return candidates_of_text(path.read_text(encoding="utf-8", errors="replace"))


def council_files(folder: Path | None = None) -> dict[str, list[Path]]:
    """Each council's `.txt` files, sorted, from the real-world folder."""
    folder = folder or realworld_dir()
    return {d.name: sorted(d.glob("*.txt")) for d in sorted(folder.iterdir()) if d.is_dir()}


def _resolve(target: str, folder: Path) -> list[Path]:
    path = Path(target)
    if not path.is_absolute() and not path.exists():
        path = folder / target
    return sorted(path.glob("*.txt")) if path.is_dir() else [path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="+", help="a .txt file or a council folder (relative to the real-world folder)")
    parser.add_argument("--sample", type=int, default=0, help="print at most N candidates per file, drawn at random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    folder = realworld_dir()
    for target in args.targets:
        for path in _resolve(target, folder):
            cands = candidates(path)
            if args.sample and len(cands) > args.sample:
                picked = set(random.Random(f"{args.seed}:{path.name}").sample(range(len(cands)), args.sample))
                cands = [c for i, c in enumerate(cands) if i in picked]
            print(f"## {path.parent.name}/{path.name} ({len(cands)} shown)")
            for key, text in cands:
                print(f"{key}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
