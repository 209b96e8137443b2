"""Coverage: per theme, the share of its guidance questions the section handles correctly.

A question the dataset expects answered is covered when the section states at least one of
its key points (judged by the judge, against the section's sentences). A question with no
evidence in the documents is handled correctly when the section lists it as an evidence gap
and has no sentence drafted for it; padding it with text, or answering without listing
the gap, is a miss. Questions marked "skip" in the dataset are not scored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from evals.data import Dataset
from evals.judges import Judge


@dataclass
class QuestionResult:
    question_id: str
    theme_id: str
    expect: str
    correct: bool
    verdict: str  # covered | not covered | gap reported | gap padded | gap not reported | wrongly reported as a gap
    key_points_found: list[bool] = field(default_factory=list)
    sentences: int = 0  # sentences the draft wrote for this question


@dataclass
class ThemeCoverage:
    theme_id: str
    title: str
    scored: int
    correct: int
    key_points: int
    key_points_found: int
    questions: list[QuestionResult]

    @property
    def coverage(self) -> float | None:
        return self.correct / self.scored if self.scored else None

    def to_dict(self) -> dict:
        return {**asdict(self), "coverage": self.coverage}


def question_result(section, question_id: str, expectation, judge: Judge) -> QuestionResult:
    gap_ids = {g.question_id for g in section.gaps}
    drafted = [s for s in section.sentences if s.question_id == question_id]
    if expectation.expect == "gap":
        if question_id in gap_ids and not drafted:
            verdict, correct = "gap reported", True
        elif drafted:
            verdict, correct = "gap padded", False
        else:
            verdict, correct = "gap not reported", False
        return QuestionResult(question_id, section.theme_id, "gap", correct, verdict, [], len(drafted))
    texts = [s.text for s in section.sentences]
    found = [judge.covers(point, texts) for point in expectation.key_points]
    if any(found):
        verdict = "covered"
    elif question_id in gap_ids:
        verdict = "wrongly reported as a gap"
    else:
        verdict = "not covered"
    return QuestionResult(question_id, section.theme_id, "answer", any(found), verdict, found, len(drafted))


def plan_coverage(plan, template, dataset: Dataset, judge: Judge) -> list[ThemeCoverage]:
    judge.prepare([s.text for sec in plan.sections for s in sec.sentences]
                  + [p for q in dataset.questions.values() for p in q.key_points])
    themes = []
    for section in plan.sections:
        theme = template.theme(section.theme_id)
        results = []
        for question in theme.questions:
            expectation = dataset.questions.get(question.id)
            if expectation is None or expectation.expect == "skip":
                continue
            results.append(question_result(section, question.id, expectation, judge))
        themes.append(ThemeCoverage(
            theme.id, theme.title, len(results), sum(r.correct for r in results),
            sum(len(r.key_points_found) for r in results), sum(sum(r.key_points_found) for r in results), results,
        ))
    return themes


def overall(themes: list[ThemeCoverage]) -> float | None:
    scored = sum(t.scored for t in themes)
    return sum(t.correct for t in themes) / scored if scored else None
