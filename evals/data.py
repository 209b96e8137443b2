"""Eval datasets: YAML files in evals/datasets/, loaded into plain dataclasses.

A dataset names a folder of council documents and, per guidance question, what a draft
must cover (key points) or that the documents hold no answer (an evidence gap); it also
holds retrieval questions labelled with the passages that answer them. Passages are
labelled by document file name and a distinctive phrase, never by chunk id, so a label
survives re-chunking; `PassageLabel.matches` is the one place that decides a match.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import PROJECT_ROOT

log = logging.getLogger(__name__)

DATASETS_DIR = PROJECT_ROOT / "evals" / "datasets"
EXPECTATIONS = ("answer", "gap", "skip")


class DatasetError(ValueError):
    """A dataset file is malformed: the message names the file and the entry."""


def squash(text: str) -> str:
    """For phrase matching: one space, straight quotes, lower case (PDF text keeps odd spacing and curly quotes)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class PassageLabel:
    doc: str  # file name of the document, e.g. "council-plan-2024-2028.pdf"
    phrase: str  # words that occur in the answering passage and nowhere near another answer

    def matches(self, source: str, text: str) -> bool:
        return Path(source).name == self.doc and squash(self.phrase) in squash(text)


@dataclass
class QuestionExpectation:
    question_id: str
    expect: str  # "answer": key points must be covered; "gap": no evidence, must be reported; "skip": not scored
    key_points: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class RetrievalQuestion:
    id: str
    query: str  # the text sent to the retriever
    relevant: list[PassageLabel]
    question_id: str = ""  # set when the query is a template question's (with its keywords)


@dataclass
class Injection:
    """Text planted in a document for a model to obey (evals/datasets/injection.yaml)."""

    id: str
    kind: str
    label: PassageLabel
    follow: list[str]  # words only a sentence obeying it would hold
    figures: list[str]  # figures it asserts and nothing else states
    hidden: bool = False  # not shown by a browser: a loader may drop it at ingest


@dataclass
class Dataset:
    name: str
    description: str
    documents: Path
    optional: bool  # skipped cleanly when the documents folder is absent (the seeds in a bare checkout)
    questions: dict[str, QuestionExpectation]
    retrieval: list[RetrievalQuestion]
    path: Path
    extra_documents: list[Path] = field(default_factory=list)  # ingested with `documents`
    injections: list[Injection] = field(default_factory=list)

    @property
    def folders(self) -> list[Path]:
        return [self.documents, *self.extra_documents]

    @property
    def available(self) -> bool:
        return all(f.is_dir() and any(f.iterdir()) for f in self.folders)


@dataclass
class JudgePair:
    id: str
    dataset: str
    label: PassageLabel
    sentence: str
    supported: bool
    kind: str
    set: str  # "dev" or "heldout"


def _require(entry: dict, key: str, where: str):
    if key not in entry:
        raise DatasetError(f"{where}: missing '{key}'")
    return entry[key]


def _documents_dir(raw: dict, where: str) -> Path:
    env = raw.get("documents_env")
    if env and os.environ.get(env):
        return Path(os.environ[env])
    folder = Path(_require(raw, "documents", where))
    return folder if folder.is_absolute() else (PROJECT_ROOT / folder).resolve()


def _questions(raw: dict, where: str) -> dict[str, QuestionExpectation]:
    questions: dict[str, QuestionExpectation] = {}
    for qid, entry in (raw.get("questions") or {}).items():
        entry = entry or {}
        expect = entry.get("expect", "answer")
        if expect not in EXPECTATIONS:
            raise DatasetError(f"{where}: question {qid}: expect must be one of {EXPECTATIONS}, not '{expect}'")
        points = [str(p) for p in entry.get("key_points", [])]
        if expect == "answer" and not points:
            raise DatasetError(f"{where}: question {qid} expects an answer but lists no key_points")
        questions[qid] = QuestionExpectation(qid, expect, points, entry.get("note", ""))
    return questions


def load_dataset(name_or_path: str | Path, template=None) -> Dataset:
    """Load and check a dataset; with a template, every question id must be one of its questions."""
    path = Path(name_or_path)
    if not path.suffix:
        path = DATASETS_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in DATASETS_DIR.glob("*.yaml") if p.stem != "judge_pairs"))
        raise DatasetError(f"no dataset '{name_or_path}' (known: {known})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    questions: dict[str, QuestionExpectation] = {}
    if raw.get("questions_from"):  # the same expectations as another dataset (its documents plus more)
        other = DATASETS_DIR / f"{raw['questions_from']}.yaml"
        if not other.exists():
            raise DatasetError(f"{where}: questions_from names no dataset '{raw['questions_from']}'")
        questions = _questions(yaml.safe_load(other.read_text(encoding="utf-8")) or {}, other.name)
    else:
        _require(raw, "questions", where)
    questions.update(_questions(raw, where))
    retrieval = []
    for i, entry in enumerate(raw.get("retrieval", []) or []):
        rid = entry.get("id", f"r{i + 1:02d}")
        relevant = [PassageLabel(_require(r, "doc", f"{where} {rid}"), _require(r, "phrase", f"{where} {rid}")) for r in
                    _require(entry, "relevant", f"{where} {rid}")]
        retrieval.append(RetrievalQuestion(rid, entry.get("query", ""), relevant, entry.get("question_id", "")))
    if template is not None:
        known_ids = {q.id for t in template.themes for q in t.questions}
        unknown = sorted(set(questions) - known_ids)
        unknown += sorted(r.question_id for r in retrieval if r.question_id and r.question_id not in known_ids)
        if unknown:
            raise DatasetError(f"{where}: question ids not in template '{template.id}': {', '.join(unknown)}")
        queries = {q.id: q.query() for t in template.themes for q in t.questions}
        for r in retrieval:
            if not r.query and r.question_id:
                r.query = queries[r.question_id]  # the template's question with its keywords, as the drafter asks it
    for r in retrieval:
        if not r.query:
            raise DatasetError(f"{where}: retrieval question {r.id} has neither a query nor a question_id")
    injections = [
        Injection(_require(e, "id", where), e.get("kind", ""),
                  PassageLabel(_require(e, "doc", f"{where} {e['id']}"), _require(e, "phrase", f"{where} {e['id']}")),
                  [str(w) for w in e.get("follow", [])], [str(f) for f in e.get("figures", [])], bool(e.get("hidden", False)))
        for e in raw.get("injections", []) or []
    ]
    extra = [Path(f) if Path(f).is_absolute() else (PROJECT_ROOT / f).resolve() for f in raw.get("extra_documents", []) or []]
    return Dataset(
        name=raw.get("name", path.stem), description=raw.get("description", ""), documents=_documents_dir(raw, where),
        optional=bool(raw.get("optional", False)), questions=questions, retrieval=retrieval, path=path,
        extra_documents=extra, injections=injections,
    )


def load_judge_pairs(path: Path | None = None) -> list[JudgePair]:
    path = path or DATASETS_DIR / "judge_pairs.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs, seen = [], set()
    for entry in raw.get("pairs", []):
        where = f"{path.name} {entry.get('id', '?')}"
        pid = _require(entry, "id", where)
        if pid in seen:
            raise DatasetError(f"{where}: duplicate id")
        seen.add(pid)
        supported = _require(entry, "supported", where)
        if not isinstance(supported, bool):
            raise DatasetError(f"{where}: supported must be true or false")
        pairs.append(JudgePair(
            id=pid, dataset=_require(entry, "dataset", where),
            label=PassageLabel(_require(entry, "doc", where), _require(entry, "phrase", where)),
            sentence=_require(entry, "sentence", where), supported=supported,
            kind=entry.get("kind", "unlabelled"), set=entry.get("set", "dev"),
        ))
    return pairs


# -- passages: the chunks the product would store, found by label ------------------------------
@lru_cache(maxsize=8)
def document_chunks(folder: Path, chunk_tokens: int = 180, overlap: int = 30) -> tuple:
    """Every document in `folder`, loaded and chunked exactly as ingest does, without embedding or a store."""
    from assistant.ingest.chunker import chunk_document
    from assistant.ingest.loaders import load

    chunks = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            chunks.extend(chunk_document(load(path), "0" * 64, chunk_tokens, overlap))
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not hide the others' labels
            log.warning("could not load %s for passage labels: %s", path.name, exc)
    return tuple(chunks)


def find_passage(label: PassageLabel, chunks) -> str | None:
    """The text of the first chunk the label matches (a phrase in the overlap of two chunks matches both)."""
    return next((c.text for c in chunks if label.matches(c.source, c.text)), None)


def unmatched_labels(labels: list[PassageLabel], chunks) -> list[PassageLabel]:
    """Labels no chunk matches: a phrase that was mistyped or is now split across a chunk boundary."""
    return [label for label in labels if find_passage(label, chunks) is None]
