"""Citation recall and precision as ALCE defines them (Gao et al. 2023; ../shared/domain.md).

Recall, per sentence: the sentence's cited passages, taken together, entail it (a sentence
with no citation scores 0).
Precision, per citation: a citation is precise unless its sentence is not entailed by its
citations at all, or the citation is irrelevant: it does not entail the sentence on its own
and the sentence's other citations entail it without it. Following ALCE's eval.py, every
citation of a sentence its citations do not entail counts as imprecise.
Also per sentence: the share of cited sentences all of whose citations are precise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from evals.judges import Judge


@dataclass
class SentenceCitations:
    theme_id: str
    text: str
    citations: list[int]
    entailed: bool
    precise: list[bool] = field(default_factory=list)  # one per citation


@dataclass
class CitationScores:
    sentences: int
    entailed: int
    citations: int
    precise_citations: int
    cited_sentences: int
    all_precise_sentences: int
    rows: list[SentenceCitations]

    @property
    def recall(self) -> float | None:
        return self.entailed / self.sentences if self.sentences else None

    @property
    def precision(self) -> float | None:
        return self.precise_citations / self.citations if self.citations else None

    @property
    def sentence_precision(self) -> float | None:
        return self.all_precise_sentences / self.cited_sentences if self.cited_sentences else None

    def to_dict(self, with_rows: bool = False) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "rows"}
        data.update(recall=self.recall, precision=self.precision, sentence_precision=self.sentence_precision)
        if with_rows:
            data["unsupported"] = [asdict(r) for r in self.rows if not r.entailed]
            data["imprecise"] = [asdict(r) for r in self.rows if r.entailed and not all(r.precise)]
        return data


def sentence_citations(theme_id: str, text: str, citations: list[int], passages: dict[int, str], judge: Judge) -> SentenceCitations:
    cited = [n for n in dict.fromkeys(citations) if n in passages]
    if not cited:
        return SentenceCitations(theme_id, text, list(citations), False, [False] * len(citations))
    entailed = judge.supports(text, [passages[n] for n in cited]).supported
    if not entailed:
        return SentenceCitations(theme_id, text, cited, False, [False] * len(cited))
    if len(cited) == 1:
        return SentenceCitations(theme_id, text, cited, True, [True])
    precise = []
    for n in cited:
        alone = judge.supports(text, [passages[n]]).supported
        others = [passages[m] for m in cited if m != n]
        precise.append(alone or not judge.supports(text, others).supported)
    return SentenceCitations(theme_id, text, cited, True, precise)


def section_rows(section, judge: Judge) -> list[SentenceCitations]:
    passages = {e.number: e.text for e in section.evidence}
    judge.prepare([s.text for s in section.sentences] + list(passages.values()))
    return [sentence_citations(section.theme_id, s.text, s.citations, passages, judge) for s in section.sentences]


def score(rows: list[SentenceCitations]) -> CitationScores:
    cited = [r for r in rows if r.citations]
    return CitationScores(
        sentences=len(rows), entailed=sum(r.entailed for r in rows),
        citations=sum(len(r.precise) for r in cited), precise_citations=sum(sum(r.precise) for r in cited),
        cited_sentences=len(cited), all_precise_sentences=sum(all(r.precise) for r in cited), rows=rows,
    )


def plan_citations(sections, judge: Judge) -> tuple[CitationScores, dict[str, CitationScores]]:
    """Pooled over the plan, and per theme."""
    per_theme = {s.theme_id: score(section_rows(s, judge)) for s in sections}
    return score([r for scores in per_theme.values() for r in scores.rows]), per_theme
