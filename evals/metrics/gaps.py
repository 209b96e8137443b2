"""Evidence gaps on real councils: is each guidance question answered, and from the document that holds the answer?

Per council and guidance question, against `labels.yaml` of the real-world set (evals/realworld.py):
- an answerable question reported as an evidence gap is a **false gap**;
- an answerable question is **answered from a labelled file** when a sentence drafted for it
  cites a passage of a file its labels name (the officer gets the answer, from the right place);
- a question labelled `expect: gap` is a **true gap reported** when the section lists it as a
  gap and drafts nothing for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class QuestionOutcome:
    question_id: str
    expect: str
    reported_gap: bool
    sentences: int
    cited_files: list[str]
    labelled_files: list[str]
    reason: str = ""  # the assessment's reason, for a reported gap

    @property
    def verdict(self) -> str:
        if self.expect == "gap":
            return "true gap reported" if self.reported_gap and not self.sentences else "gap padded"
        if self.reported_gap:
            return "false gap"
        if set(self.cited_files) & set(self.labelled_files):
            return "answered from labelled file"
        return "answered from another file" if self.sentences else "not drafted"


@dataclass
class GapScores:
    answerable: int = 0
    false_gaps: int = 0
    answered_from_labelled: int = 0
    gaps: int = 0
    true_gaps_reported: int = 0
    questions: list[QuestionOutcome] = field(default_factory=list)

    def add(self, other: "GapScores") -> None:
        for name in ("answerable", "false_gaps", "answered_from_labelled", "gaps", "true_gaps_reported"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def false_gap_share(self) -> float | None:
        return self.false_gaps / self.answerable if self.answerable else None

    @property
    def answered_from_labelled_share(self) -> float | None:
        return self.answered_from_labelled / self.answerable if self.answerable else None

    @property
    def true_gaps_share(self) -> float | None:
        return self.true_gaps_reported / self.gaps if self.gaps else None

    def to_dict(self, with_questions: bool = True) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "questions"}
        data.update(false_gap_share=self.false_gap_share, answered_from_labelled_share=self.answered_from_labelled_share,
                    true_gaps_share=self.true_gaps_share)
        if with_questions:
            data["questions"] = [{**asdict(q), "verdict": q.verdict} for q in self.questions]
        return data


def score_plan(plan, council, template) -> GapScores:
    """The plan of one council against its labels; questions labelled neither way are not scored."""
    scores = GapScores()
    for section in plan.sections:
        evidence = section.evidence_by_number()
        gaps = {g.question_id: g for g in section.gaps}
        for question in template.theme(section.theme_id).questions:
            question_id, label = question.id, council.questions.get(question.id)
            if label is None or label.expect not in ("answer", "gap"):
                continue
            drafted = [s for s in section.sentences if s.question_id == question_id]
            cited = sorted({Path(evidence[n].source).name for s in drafted for n in s.citations if n in evidence})
            gap = gaps.get(question_id)
            outcome = QuestionOutcome(question_id, label.expect, gap is not None, len(drafted), cited,
                                      sorted(label.files), getattr(gap, "reason", "") if gap else "")
            scores.questions.append(outcome)
            if label.expect == "gap":
                scores.gaps += 1
                scores.true_gaps_reported += outcome.verdict == "true gap reported"
            else:
                scores.answerable += 1
                scores.false_gaps += outcome.verdict == "false gap"
                scores.answered_from_labelled += outcome.verdict == "answered from labelled file"
    return scores

