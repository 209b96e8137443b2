"""Retrieval: recall@k and MRR of the hybrid retriever on questions labelled with their answering passages.

A hit is relevant when it matches one of the question's labels (document + distinctive
phrase). recall@k is the share of a question's labels found in the first k hits, averaged
over questions; MRR is the mean of 1 / rank of the first relevant hit (0 when none is in
the hits looked at).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class QuestionRetrieval:
    id: str
    query: str
    labels: int
    ranks: list[int | None]  # per label: rank (1-based) of the first hit it matches, None if not in the hits
    first_relevant: int | None

    def recall_at(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= k) / self.labels


@dataclass
class RetrievalScores:
    ks: list[int]
    questions: list[QuestionRetrieval]

    def recall_at(self, k: int) -> float | None:
        return sum(q.recall_at(k) for q in self.questions) / len(self.questions) if self.questions else None

    @property
    def mrr(self) -> float | None:
        if not self.questions:
            return None
        return sum(1 / q.first_relevant if q.first_relevant else 0.0 for q in self.questions) / len(self.questions)

    def to_dict(self) -> dict:
        return {
            "recall_at": {str(k): self.recall_at(k) for k in self.ks},
            "mrr": self.mrr,
            "questions": [asdict(q) for q in self.questions],
        }


def rank_labels(hits: list[tuple[str, str]], labels) -> tuple[list[int | None], int | None]:
    """hits: (source, text) in rank order. Returns each label's rank and the rank of the first relevant hit."""
    ranks: list[int | None] = []
    for label in labels:
        ranks.append(next((i for i, (source, text) in enumerate(hits, 1) if label.matches(source, text)), None))
    first = next((i for i, (source, text) in enumerate(hits, 1) if any(l.matches(source, text) for l in labels)), None)
    return ranks, first


def evaluate(retriever, questions, ks: list[int], mode: str = "hybrid") -> RetrievalScores:
    """mode: the retriever's 'hybrid' (what the drafter uses), or 'dense' / 'keyword' alone for comparison."""
    depth = max(ks)
    results = []
    for q in questions:
        hits = [(h.chunk.source, h.chunk.text) for h in retriever.search(q.query, k=depth, mode=mode)]
        ranks, first = rank_labels(hits, q.relevant)
        results.append(QuestionRetrieval(q.id, q.query, len(q.relevant), ranks, first))
    return RetrievalScores(sorted(ks), results)
