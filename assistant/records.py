"""Plain data types passed between the pipeline stages.

ingest -> LoadedDocument -> Chunk -> (store) -> Evidence -> (draft) -> Section
Each is a dataclass that round-trips through JSON, so any stage's output can be
saved and the next stage re-run alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def doc_id_of(chunk_id: str) -> str:
    """A chunk id starts with its document's id ('doc_id:file_hash12:index', see ingest.chunker)."""
    return chunk_id.split(":", 1)[0]


# What a passage's stored vector is computed from. Version 2 puts the document's title and
# the passage's heading before its text: a 180-token passage often leaves its subject to
# the heading ("2. What phase one delivered") or the title (which programme, which
# strategy), and without them it ranked below vaguer passages that named the subject
# (docs/benchmarks.md: MRR 0.885 -> 0.960 on the sample corpus). A store records the
# version on each chunk, so ingest re-embeds documents stored under an older one.
# Version 3: passages come from the layout-aware loaders (wrapped lines and hyphenation rejoined,
# running headers dropped, tables kept as table passages), so older stores are re-read in full.
# Version 4: DOCX and HTML tables too are table passages (rows with their column titles, not " | "-joined
# cells or a passage per cell).
# Version 5: a small word glued to the capitalised word after it is parted ("for theStrategic" -> "for the Strategic").
# Version 6: Markdown goes through the shared paragraph rules, so its list items stay under their lead-in.
VECTOR_TEXT_VERSION = 6

# What kind of text a passage holds. Prose is drafted from; a table passage (each row with its
# column headers) can be cited and its figures checked, but it is never drafted as a sentence.
PROSE = "prose"
TABLE = "table"


def vector_text(title: str, heading: str, text: str) -> str:
    """The text a passage is embedded as: 'Title: Heading' on a line, then the passage."""
    context = ": ".join(part for part in (title.strip(), heading.strip()) if part)
    return f"{context}\n{text}" if context else text


@dataclass
class Block:
    """A paragraph-like run of text from one page, under one heading."""

    text: str
    page: int | None = None
    heading: str = ""
    form: str = PROSE  # PROSE or TABLE (one row per line: "Header: cell; Header: cell")


@dataclass
class LoadedDocument:
    """What a loader returns: the document's text as blocks, with page and heading."""

    source: str  # absolute path of the file
    title: str
    kind: str  # pdf, docx, html, md, txt
    blocks: list[Block]
    page_count: int | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


@dataclass
class Chunk:
    id: str
    doc_id: str
    text: str
    source: str
    title: str
    page: int | None
    heading: str
    index: int
    content_hash: str  # hash of this chunk's text
    file_hash: str  # hash of the whole file the chunk came from
    form: str = PROSE

    def vector_text(self) -> str:
        return vector_text(self.title, self.heading, self.text)

    def metadata(self) -> dict[str, Any]:
        """Chroma metadata: scalars only, no None values."""
        meta = {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "index": self.index,
            "content_hash": self.content_hash,
            "file_hash": self.file_hash,
        }
        if self.page is not None:
            meta["page"] = self.page
        if self.form != PROSE:
            meta["form"] = self.form
        return meta

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> "Chunk":
        return cls(
            id=chunk_id,
            doc_id=meta["doc_id"],
            text=text,
            source=meta["source"],
            title=meta["title"],
            page=meta.get("page"),
            heading=meta.get("heading", ""),
            index=int(meta["index"]),
            content_hash=meta["content_hash"],
            file_hash=meta["file_hash"],
            form=meta.get("form", PROSE),
        )


@dataclass
class SourceDocument:
    """One ingested document as the catalogue lists it."""

    doc_id: str
    source: str
    title: str
    file_hash: str
    kind: str
    pages: int | None
    chunks: int
    ingested_at: str


@dataclass
class Evidence:
    """A retrieved passage, numbered as the drafter saw it."""

    number: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    page: int | None
    heading: str
    text: str
    score: float = 0.0
    form: str = PROSE

    @classmethod
    def from_chunk(cls, number: int, chunk: Chunk, score: float = 0.0) -> "Evidence":
        return cls(number, chunk.id, chunk.doc_id, chunk.title, chunk.source, chunk.page, chunk.heading, chunk.text, score,
                   chunk.form)

    def vector_text(self, text: str | None = None) -> str:
        """What this passage (or `text`, a part of it) is embedded as, like its stored vector."""
        return vector_text(self.title, self.heading, self.text if text is None else text)

    def location(self) -> str:
        """Human reference: 'Title, p. 3, Heading' or 'Title, Heading'."""
        if self.page is not None:
            return f"{self.title}, p. {self.page}" + (f", '{self.heading}'" if self.heading else "")
        if self.heading:
            return f"{self.title}, '{self.heading}'"
        return self.title


@dataclass
class Sentence:
    text: str
    citations: list[int] = field(default_factory=list)  # evidence numbers
    paragraph: int = 0
    question_id: str = ""
    support: float | None = None
    flags: list[str] = field(default_factory=list)
    # Printed as a bullet in its paragraph (render.paragraph_runs): a definition list's entry reads as a note in prose.
    list_item: bool = False


@dataclass
class Gap:
    """A guidance question the draft does not answer, and why (for the officer: what to add)."""

    question_id: str
    question: str
    reason: str = ""
    score: float | None = None  # the best candidate's relevance score, when there was one


@dataclass
class Section:
    theme_id: str
    title: str
    sentences: list[Sentence]
    evidence: list[Evidence]
    gaps: list[Gap] = field(default_factory=list)
    allowance: int = 0
    tokens: int = 0
    drafter: str = ""
    notes: list[str] = field(default_factory=list)  # what verify/budget changed, for the user

    def evidence_by_number(self) -> dict[int, Evidence]:
        return {e.number: e for e in self.evidence}

    def paragraphs(self) -> list[list[Sentence]]:
        grouped: dict[int, list[Sentence]] = {}
        for s in self.sentences:
            grouped.setdefault(s.paragraph, []).append(s)
        return [grouped[k] for k in sorted(grouped)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Section":
        return cls(
            theme_id=data["theme_id"],
            title=data["title"],
            sentences=[Sentence(**s) for s in data["sentences"]],
            evidence=[Evidence(**e) for e in data["evidence"]],
            gaps=[Gap(**g) for g in data.get("gaps", [])],
            allowance=data.get("allowance", 0),
            tokens=data.get("tokens", 0),
            drafter=data.get("drafter", ""),
            notes=list(data.get("notes", [])),
        )


@dataclass
class Plan:
    template_id: str
    title: str
    sections: list[Section]
    page_limit: int
    tokens_per_page: int
    total_tokens: int = 0
    council: str = ""  # who the plan is for, as the exports print it (empty: the default, release.DEFAULT_COUNCIL)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        return cls(
            template_id=data["template_id"],
            title=data["title"],
            sections=[Section.from_dict(s) for s in data["sections"]],
            page_limit=data["page_limit"],
            tokens_per_page=data["tokens_per_page"],
            total_tokens=data.get("total_tokens", 0),
            council=data.get("council", ""),
        )
