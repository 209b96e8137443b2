"""The offline drafter: no model, grounded by construction.

Every sentence of its draft is a sentence of a retrieved passage (paragraph
numbers stripped), cited to that passage, so every figure is the source's own.
For each guidance question it ranks the candidate sentences of that question's
evidence by meaning (embedding similarity to the question) and by the
question's key terms, skips repeats, and takes turns across questions so that
one rich question cannot eat the whole allowance. A question whose best
sentence is not relevant enough is reported as an evidence gap rather than
padded with unrelated text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.budget import section_tokens
from assistant.embed import Embedder
from assistant.records import Gap, Section, Sentence
from assistant.retrieve import tokenize
from assistant.sentences import is_draftable, normalise, split_sentences, strip_numbering

from .base import DraftRequest

# Calibrated on the sample corpus and the seed reports: below this a sentence
# answers some other question (see tests/draft/test_offline.py for the gaps it must find).
RELEVANCE_THRESHOLD = 0.42
MAX_PER_QUESTION = 3
REDUNDANCY_JACCARD = 0.55


@dataclass
class _Candidate:
    text: str
    evidence_number: int
    order: tuple[int, int]  # (evidence rank in the question, position in passage): source order
    tokens: frozenset[str]
    relevance: float = 0.0


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _keyword_score(keywords: list[str], tokens: frozenset[str]) -> float:
    """Share of the question's key phrases found whole in the sentence (0..1)."""
    if not keywords:
        return 0.0
    hits = sum(1 for k in keywords if (kt := set(tokenize(k))) and kt <= tokens)
    return min(1.0, hits / 2)  # two key phrases is strong evidence; more adds nothing


class OfflineDrafter:
    name = "offline"

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def draft(self, request: DraftRequest) -> Section:
        theme = request.theme
        evidence = {e.number: e for e in request.evidence}
        candidates: dict[str, list[_Candidate]] = {}
        texts: dict[str, None] = {}
        for question in theme.questions:
            pool = []
            for rank, number in enumerate(request.by_question.get(question.id, [])):
                for pos, raw in enumerate(split_sentences(evidence[number].text)):
                    text = strip_numbering(raw)
                    if not is_draftable(text) or normalise(text) in request.exclude:
                        continue
                    pool.append(_Candidate(text, number, (rank, pos), frozenset(tokenize(text))))
                    texts[text] = None
            candidates[question.id] = pool

        self._score(request, candidates, list(texts))
        section = Section(theme_id=theme.id, title=theme.title, sentences=[], evidence=request.evidence, drafter=self.name)
        chosen: dict[str, list[_Candidate]] = {q.id: [] for q in theme.questions}
        picked_tokens: list[frozenset[str]] = []
        queues = {
            q.id: sorted((c for c in candidates[q.id] if c.relevance >= RELEVANCE_THRESHOLD), key=lambda c: -c.relevance)
            for q in theme.questions
        }
        for question in theme.questions:
            if not queues[question.id]:
                section.gaps.append(Gap(question.id, question.text))

        # Take turns: each question adds its next best sentence until none fits.
        progress = True
        while progress:
            progress = False
            for question in theme.questions:
                queue = queues[question.id]
                while queue and len(chosen[question.id]) < MAX_PER_QUESTION:
                    cand = queue.pop(0)
                    if any(_jaccard(cand.tokens, t) >= REDUNDANCY_JACCARD for t in picked_tokens):
                        continue
                    chosen[question.id].append(cand)
                    trial = self._assemble(section, theme.questions, chosen)
                    if section_tokens(trial, request.heading) > request.allowance:
                        chosen[question.id].pop()
                        continue  # a shorter sentence further down may still fit
                    picked_tokens.append(cand.tokens)
                    progress = True
                    break

        return self._assemble(section, theme.questions, chosen)

    def _score(self, request: DraftRequest, candidates: dict[str, list[_Candidate]], texts: list[str]) -> None:
        if not texts:
            return
        questions = request.theme.questions
        vectors = self.embedder.embed_documents(texts + [q.text for q in questions])
        sentence_vec = dict(zip(texts, vectors[: len(texts)]))
        for q, qvec in zip(questions, vectors[len(texts) :]):
            for cand in candidates[q.id]:
                similarity = float(np.dot(sentence_vec[cand.text], qvec))
                cand.relevance = 0.8 * similarity + 0.35 * _keyword_score(q.keywords, cand.tokens)

    @staticmethod
    def _assemble(base: Section, questions, chosen: dict[str, list[_Candidate]]) -> Section:
        sentences: list[Sentence] = []
        paragraph = 0
        for question in questions:
            picks = sorted(chosen[question.id], key=lambda c: c.order)  # source order reads naturally
            if not picks:
                continue
            for cand in picks:
                sentences.append(
                    Sentence(text=cand.text, citations=[cand.evidence_number], paragraph=paragraph, question_id=question.id, support=1.0)
                )
            paragraph += 1
        return Section(
            theme_id=base.theme_id,
            title=base.title,
            sentences=sentences,
            evidence=base.evidence,
            gaps=base.gaps,
            drafter=base.drafter,
        )
