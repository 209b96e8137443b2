"""The real-world development set: public documents of seven councils, read from ../shared/realworld.

Nothing of it is copied into the repository. At run time each council's files are prepared the
way an officer would hand them to the product: the provenance header of a text file (SOURCE,
TITLE, DATE, STATUS, then `---`) is stripped, and where an original PDF sits beside its
`pdftotext` text, only the PDF is ingested. `labels.yaml` says, per council and guidance
question, which files hold the answer (key points with a locating quote) or that nothing does
(`expect: gap`).

    ASSISTANT_REALWORLD_DIR   moves the folder (default ../shared/realworld beside the project)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.config import PROJECT_ROOT

HEADER_END = "---"
HEADER_KEYS = ("SOURCE:", "TITLE:", "DATE:", "STATUS:")


def realworld_dir() -> Path:
    env = os.environ.get("ASSISTANT_REALWORLD_DIR")
    return Path(env) if env else (PROJECT_ROOT.parent / "shared" / "realworld").resolve()


def available(folder: Path | None = None) -> bool:
    folder = folder or realworld_dir()
    return (folder / "labels.yaml").is_file()


@dataclass(frozen=True)
class KeyPoint:
    claim: str
    file: str  # file name within the council's folder, as ingested (a PDF's twin .txt named as the PDF)
    quote: str


@dataclass
class QuestionLabel:
    question_id: str
    expect: str  # "answer" or "gap"
    key_points: list[KeyPoint] = field(default_factory=list)

    @property
    def files(self) -> set[str]:
        return {k.file for k in self.key_points}


@dataclass
class Council:
    id: str
    name: str
    folder: Path
    questions: dict[str, QuestionLabel]

    @property
    def answerable(self) -> list[str]:
        return [q for q, label in self.questions.items() if label.expect == "answer"]

    @property
    def gaps(self) -> list[str]:
        return [q for q, label in self.questions.items() if label.expect == "gap"]


def strip_header(text: str) -> str:
    """A text file's content without its provenance header (kept when there is none)."""
    lines = text.split("\n")
    if not lines or not lines[0].startswith(HEADER_KEYS):
        return text
    for i, line in enumerate(lines[:20]):
        if line.strip() == HEADER_END:
            return "\n".join(lines[i + 1:]).lstrip("\n")
    return text


def ingested_name(folder: Path, name: str) -> str:
    """The name a labelled file has in the prepared folder: a .txt with a .pdf twin is the PDF."""
    path = folder / name
    twin = path.with_suffix(".pdf")
    return twin.name if path.suffix == ".txt" and twin.exists() else path.name


def load_councils(folder: Path | None = None) -> list[Council]:
    folder = folder or realworld_dir()
    raw = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8")) or {}
    councils = []
    for cid, entry in (raw.get("councils") or {}).items():
        questions = {}
        for qid, q in (entry.get("questions") or {}).items():
            q = q or {}
            if q.get("expect") == "gap":
                questions[qid] = QuestionLabel(qid, "gap")
                continue
            points = [
                KeyPoint(p["claim"], ingested_name(folder / cid, Path(p["file"]).name), p.get("quote", ""))
                for p in q.get("key_points", []) or []
            ]
            questions[qid] = QuestionLabel(qid, "answer" if points else "skip", points)
        councils.append(Council(cid, entry.get("name", cid), folder / cid, questions))
    return councils


def prepare_council(council: Council, dest: Path) -> Path:
    """The council's documents as an officer would have them, in `dest` (created)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(council.folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix == ".pdf":
            (dest / path.name).write_bytes(path.read_bytes())
        elif path.suffix == ".txt":
            if path.with_suffix(".pdf").exists():
                continue  # the PDF's own text, extracted by pdftotext: ingest the PDF, not both
            text = path.read_text(encoding="utf-8", errors="replace")
            (dest / path.name).write_text(strip_header(text), encoding="utf-8")
    return dest
