"""Review stage: every sentence of a plan beside the passages it cites.

Builds plain rows (no HTML: the UI decides how to show a highlight) from the
sections as verified, so a reviewer sees exactly the scores and flags the
verifier computed. Decisions are keyed by the sentence's normalised text, so they
follow a sentence through redrafts and revisions that keep it, while rewording it
sends it back to review instead of carrying an old approval over.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from assistant.records import Section
from assistant.retrieve import tokenize
from assistant.sentences import normalise
from assistant.verify import unsupported_figures

DECISIONS = ("pending", "approved", "rejected")
_WORDS = re.compile(r"(\W+)")


def sentence_key(theme_id: str, text: str) -> str:
    """A decision's key: the theme and the sentence's normalised text, so it follows the sentence
    from version to version while its words stay the same (case, spacing and markers aside)."""
    return f"{theme_id}:{hashlib.sha1(normalise(text).encode('utf-8')).hexdigest()[:12]}"


def highlight(passage: str, sentence: str) -> list[tuple[str, bool]]:
    """The passage as (text, matched) runs: matched where a content word (or figure) of the sentence appears."""
    wanted = set(tokenize(sentence))
    runs: list[tuple[str, bool]] = []
    for piece in _WORDS.split(passage):
        if not piece:
            continue
        matched = bool(wanted) and bool(set(tokenize(piece)) & wanted)
        if runs and runs[-1][1] == matched:
            runs[-1] = (runs[-1][0] + piece, matched)
        else:
            runs.append((piece, matched))
    return runs


@dataclass
class CitedPassage:
    number: int
    location: str
    text: str
    runs: list[tuple[str, bool]]


@dataclass
class ReviewRow:
    key: str
    theme_id: str
    section_title: str
    index: int  # position in the section, from 1
    text: str
    citations: list[int]
    passages: list[CitedPassage]
    support: float | None
    flags: list[str]
    missing_figures: list[str] = field(default_factory=list)
    decision: str = "pending"
    comment: str = ""
    reviewer: str = ""

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def review_rows(sections: list[Section], decisions: dict[str, dict] | None = None) -> list[ReviewRow]:
    decisions = decisions or {}
    rows = []
    for section in sections:
        evidence = section.evidence_by_number()
        for index, sentence in enumerate(section.sentences, 1):
            cited = [evidence[n] for n in sentence.citations if n in evidence]
            key = sentence_key(section.theme_id, sentence.text)
            decided = decisions.get(key, {})
            rows.append(
                ReviewRow(
                    key=key,
                    theme_id=section.theme_id,
                    section_title=section.title,
                    index=index,
                    text=sentence.text,
                    citations=list(sentence.citations),
                    passages=[CitedPassage(e.number, e.location(), e.text, highlight(e.text, sentence.text)) for e in cited],
                    support=sentence.support,
                    flags=list(sentence.flags),
                    missing_figures=unsupported_figures(sentence.text, "\n".join(e.text for e in cited)),
                    decision=decided.get("decision", "pending"),
                    comment=decided.get("comment", ""),
                    reviewer=decided.get("reviewer", ""),
                )
            )
    return rows


def _cell(value) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula; document text must not."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def review_csv(rows: list[ReviewRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "sentence", "text", "citations", "cited passages", "support", "flags", "decision", "comment", "reviewer"])
    for row in rows:
        passages = "\n\n".join(f"[{p.number}] {p.location}: {p.text}" for p in row.passages)
        writer.writerow([_cell(v) for v in [
            row.section_title, row.index, row.text, " ".join(f"[{n}]" for n in row.citations), passages,
            "" if row.support is None else f"{row.support:.2f}", "; ".join(row.flags), row.decision, row.comment, row.reviewer,
        ]])
    return out.getvalue()
