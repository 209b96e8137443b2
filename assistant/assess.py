"""Assess stage, between retrieval and drafting: per guidance question, what in the evidence answers it.

For each question it takes the sentences of that question's retrieved passages that could
stand in a plan (units.passage_units, sentences.sentence_problem), scores each one's relevance to the question,
and decides: answered (its candidates, best first) or an evidence gap, with the reason in
words an officer can act on ("best passage scored 0.31 < 0.38: ..."). A sentence that does not
name the question's subject (the template's `subject` terms) is scored but cannot answer it.
Both drafters use it:
the offline drafter drafts from the candidates; the LLM drafter sends the model every
question that has candidate evidence and lets the model say it is not answered, and a model's
answer to a question judged a gap here is kept only if it scores over the question's threshold
as a candidate would (Assessor.score_answer).

The score and its threshold are tuning data (prompts/tuning/<embedder>.yaml, assistant/tuning.py),
calibrated on real councils' documents with councils held out (`make calibrate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.records import PROSE, Evidence, Gap
from assistant.retrieve import tokenize
from assistant.sentences import normalise
from assistant.units import passage_units
from assistant.templates import GuidanceQuestion
from assistant.tuning import Tuning


@dataclass
class Candidate:
    """A unit a draft could use for a question: one sentence, or a sentence with the one it leans on."""

    texts: list[str]
    evidence_number: int
    order: tuple[int, int]  # (evidence rank in the question, position in passage): source order
    tokens: frozenset[str]
    sentence: float = 0.0  # similarity to the question
    passage: float = 0.0  # the passage's similarity to the question
    keywords: float = 0.0  # share of the question's key terms held
    query: float = 0.0  # similarity to the question with its key terms
    example: float = 0.0  # similarity to the closest of the question's example answers
    score: float = 0.0
    used: bool = False  # already in the plan (another section): scored, never drafted again
    on_subject: bool = True  # names the question's subject (GuidanceQuestion.subject): only then can it answer
    list_item: bool = False  # drafted as a list item (units.Unit.list_item)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


@dataclass
class QuestionAssessment:
    question_id: str
    question: str
    passages: list[int]  # evidence numbers retrieved for it, best first
    candidates: list[Candidate]  # every usable unit, best score first
    threshold: float
    why_none: str = ""  # when there are no candidates: what the passages held instead

    subject: str = ""  # the question's subject terms as words (GuidanceQuestion.subject_words), for the reason when no candidate names them

    @property
    def best(self) -> Candidate | None:
        """The best candidate that could still be drafted: not in the plan yet, and naming the question's subject."""
        return next((c for c in self.candidates if not c.used and c.on_subject), None)

    @property
    def closest(self) -> Candidate | None:
        """The best candidate by score alone, whether or not it names the subject."""
        return next((c for c in self.candidates if not c.used), None)

    @property
    def answering(self) -> list[Candidate]:
        """The candidates relevant enough to answer the question, best first, except those already in the plan."""
        return [c for c in self.candidates if c.score >= self.threshold and not c.used and c.on_subject]

    @property
    def answered_elsewhere(self) -> Candidate | None:
        """An answer that is already in the plan, under another section's question."""
        return next((c for c in self.candidates if c.used and c.on_subject and c.score >= self.threshold), None)

    @property
    def answered(self) -> bool:
        return bool(self.answering)

    def reason(self) -> str:
        """Why this question is a gap, for the officer; empty when it is answered. It names passages by
        number only: a document's own title or heading is not repeated into text shown as Markdown."""
        if self.answered:
            return ""
        if not self.passages:
            return "no passage in the documents was retrieved for it"
        if elsewhere := self.answered_elsewhere:
            return (f"its answer (passage [{elsewhere.evidence_number}], scored {elsewhere.score:.2f} >= {self.threshold:.2f}) "
                    f"goes to a question of another section of the plan, which it answers as closely or more")
        if not self.closest:
            return f"the {len(self.passages)} passages retrieved for it hold no sentence a plan can use ({self.why_none or 'none'})"
        if not (best := self.best):
            closest = self.closest
            return (f"none of the {len(self.candidates)} candidate sentences names its subject ({self.subject}); "
                    f"the closest in meaning, in passage [{closest.evidence_number}] (scored {closest.score:.2f}), is about something else")
        return (f"best passage scored {below(best.score, self.threshold)} (its sentence in passage "
                f"[{best.evidence_number}] is the closest of {len(self.candidates)} candidates): nothing retrieved answers it closely enough")

    def gap(self) -> Gap:
        best = self.best or self.closest
        return Gap(self.question_id, self.question, self.reason(), round(best.score, 3) if best else None)


def sentence_homes(assessments: list[tuple[str, "ThemeAssessment"]], need_share: float = 0.0) -> dict[str, str]:
    """For each sentence (normalised) that answers a question of these themes, the theme that should use it when a
    plan is drafted theme by theme: the one whose question it answers by the widest margin over that question's
    threshold.

    With `need_share` (tuning `homes_by_need_share`), a question left with no answer of its own takes back its best
    sentence when the question that won it keeps another answer and the sentence answers this one with at least that
    share of its winning margin: a clear second answer, not a sentence that barely clears the threshold on a word
    ("replacing its legacy finance system ... so budget holders see spend" for funding uncertainty). (Giving it back
    even when that emptied the other question was tried first: on the seeds it padded three true gaps.)"""
    best: dict[str, tuple[float, str, str]] = {}
    answers: dict[tuple[str, str], list[tuple[float, str]]] = {}  # (theme, question) -> its answering sentences
    for theme_id, assessment in assessments:
        for assessed in assessment.questions.values():
            for cand in assessed.answering:
                margin = cand.score - assessed.threshold
                for key in map(normalise, cand.texts):
                    answers.setdefault((theme_id, assessed.question_id), []).append((margin, key))
                    if key not in best or margin > best[key][0]:
                        best[key] = (margin, theme_id, assessed.question_id)
    home = {key: theme_id for key, (_, theme_id, _) in best.items()}
    if not need_share:
        return home
    won: dict[tuple[str, str], set[str]] = {}  # (theme, question) -> the sentences it answers best
    for key, (_, theme_id, question_id) in best.items():
        won.setdefault((theme_id, question_id), set()).add(key)
    for (theme_id, question_id), own in sorted(answers.items(), key=lambda kv: -max(m for m, _ in kv[1])):
        if any(home[key] == theme_id for _, key in own):
            continue
        for margin, key in sorted(own, reverse=True):
            winning_margin, other_theme, other_question = best[key]
            if won[(other_theme, other_question)] - {key} and margin >= need_share * winning_margin:
                home[key] = theme_id
                won[(other_theme, other_question)].discard(key)
                won.setdefault((theme_id, question_id), set()).add(key)
                break
    return home


def below(score: float, threshold: float) -> str:
    """"0.52 < 0.67", with a third decimal when two would print the same number on both sides."""
    digits = 2 if f"{score:.2f}" != f"{threshold:.2f}" else 3
    return f"{score:.{digits}f} < {threshold:.{digits}f}"


@dataclass
class ThemeAssessment:
    questions: dict[str, QuestionAssessment] = field(default_factory=dict)

    def gaps(self) -> list[Gap]:
        return [q.gap() for q in self.questions.values() if not q.answered]


def keyword_share(keywords: list[str], tokens: frozenset[str]) -> float:
    """Share of the question's key phrases found whole in the sentence (0..1); two is strong evidence, more adds nothing."""
    if not keywords:
        return 0.0
    hits = sum(1 for k in keywords if (kt := set(tokenize(k))) and kt <= tokens)
    return min(1.0, hits / 2)


def repeats(a: frozenset[str], b: frozenset[str], share: float) -> bool:
    """Whether one sentence says what the other does: they share `share` of their terms, or nearly all of the
    shorter one's are in the longer ("X has approved the budget." against "X has approved the budget, after ...")."""
    return jaccard(a, b) >= share or (bool(a and b) and len(a & b) >= 0.9 * min(len(a), len(b)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of terms two sentences have in common: how far one repeats the other."""
    return len(a & b) / len(a | b) if a and b else 0.0


SECTOR = "about councils in general"

# A sentence whose subject is councils at large, not this one: "Councils across the UK were at different stages of
# technology adoption", "Many councils now use chatbots", "The sector faces ...". A scrutiny review or peer
# challenge sets the council against others in such sentences; drafted as its answer on AI or systems, it would
# claim what other councils do. (Measured on ../shared/realworld: rare, and never a labelled answer.)
_SECTOR_SUBJECT = re.compile(
    r"^(?:(?:some|many|most|all|other|several|a number of|few|the majority of)\s+(?:other\s+)?(?:english\s+|uk\s+)?"
    r"(?:councils|local authorities|authorities)\b"
    r"|(?:councils|local authorities)\s+(?:across|throughout|nationally|around|up and down|everywhere|elsewhere"
    r"|in\s+(?:england|the uk|the country|britain|wales|scotland))\b"
    r"|local government\s+(?:as a whole|nationally|across)\b"
    r"|(?:across\s+)?the\s+(?:local government\s+)?sector\b|nationally,)", re.IGNORECASE)


def about_councils_in_general(sentence: str) -> bool:
    """Whether the sentence is about councils in general rather than the council whose plan this is."""
    return bool(_SECTOR_SUBJECT.match(sentence.strip()))


def answers_for_this_council(question: GuidanceQuestion, text: str) -> bool:
    """A statement about councils in general answers only a question that takes such statements (the barriers
    government can remove, in the shipped template)."""
    return question.sector_statements_answer or not about_councils_in_general(text)


class Assessor:
    def __init__(self, embedder, tuning: Tuning):
        self.embedder = embedder
        self.tuning = tuning

    def assess(self, questions: list[GuidanceQuestion], evidence: list[Evidence], by_question: dict[str, list[int]],
               exclude: set[str] = frozenset(), restated: list[str] = ()) -> ThemeAssessment:
        """Candidates per question from its passages, scored; `exclude` holds sentences (normalised) used elsewhere,
        `restated` texts (the theme's title, heading, questions) that a document merely restates."""
        by_number = {e.number: e for e in evidence}
        asked = [frozenset(tokenize(t)) for t in [*restated, *(q.text for q in questions)]]
        units: dict[int, list] = {}  # a passage retrieved for several questions is split once
        result = ThemeAssessment()
        for question in questions:
            numbers = [n for n in by_question.get(question.id, []) if n in by_number]
            pool: list[Candidate] = []
            problems: dict[str, int] = {}
            for rank, number in enumerate(numbers):
                passage = by_number[number]
                if passage.form != PROSE:
                    problems["table"] = problems.get("table", 0) + 1  # evidence for figures, never a sentence
                    continue
                if number not in units:
                    units[number] = passage_units(passage.text)
                for pos, unit, problem, list_item in units[number]:
                    if unit is None:
                        problems[problem] = problems.get(problem, 0) + 1
                        continue
                    if not answers_for_this_council(question, unit[0]):
                        problems[SECTOR] = problems.get(SECTOR, 0) + 1
                        continue
                    tokens = frozenset(tokenize(" ".join(unit)))
                    # Documents about a plan often quote its questions; restating a question does not answer it.
                    if any(jaccard(tokens, a) >= 0.5 for a in asked):
                        continue
                    used = any(normalise(t) in exclude for t in unit)
                    pool.append(Candidate(unit, number, (rank, pos), tokens, used=used,
                                          on_subject=question.names_subject(" ".join(unit)), list_item=list_item))
            why = ", ".join(f"{n} {kind}" for kind, n in sorted(problems.items(), key=lambda kv: -kv[1]))
            result.questions[question.id] = QuestionAssessment(
                question.id, question.text, numbers, pool, self.tuning.drafting.threshold_for(question.id), why,
                question.subject_words())
        self._score(questions, result, by_number)
        return result

    def score_answer(self, question: GuidanceQuestion, sentences: list[tuple[str, list[int]]], evidence: list[Evidence],
                     threshold: float) -> QuestionAssessment:
        """A model's answer to `question` scored exactly as candidates are, so it is held to the same threshold.

        Each sentence is a candidate once per passage it cites (that passage's similarity is the passage part of
        its score): the sentence stands on any of them. A sentence citing no passage of `evidence` has nothing to
        stand on, and one that restates the question does not answer it, as in `assess`; neither is a candidate, nor
        is a statement about councils in general where the question wants this council's own.
        A sentence that does not name the question's subject, or names it citing a passage that does not, is a
        candidate that cannot answer it.
        """
        by_number = {e.number: e for e in evidence}
        asked = frozenset(tokenize(question.text))
        pool = []
        for pos, (text, numbers) in enumerate(sentences):
            tokens = frozenset(tokenize(text))
            if jaccard(tokens, asked) >= 0.5 or not answers_for_this_council(question, text):
                continue
            # On the subject only with a source on it: a model can write "AI" into a sentence whose passage never
            # mentions it, and verification's support check, a similarity, may let that through.
            pool += [Candidate([text], n, (0, pos), tokens,
                               on_subject=question.names_subject(text) and question.names_subject(by_number[n].text))
                     for n in dict.fromkeys(numbers) if n in by_number]
        cited = sorted({c.evidence_number for c in pool})
        result = ThemeAssessment({question.id: QuestionAssessment(question.id, question.text, cited, pool, threshold,
                                                                  subject=question.subject_words())})
        self._score([question], result, by_number)
        return result.questions[question.id]

    def _score(self, questions: list[GuidanceQuestion], result: ThemeAssessment, by_number: dict[int, Evidence]) -> None:
        texts = list(dict.fromkeys(c.text for q in result.questions.values() for c in q.candidates))
        if not texts:
            return
        weights = self.tuning.drafting.weights
        numbers = sorted({c.evidence_number for q in result.questions.values() for c in q.candidates})
        vectors = self.embedder.embed_documents(texts + [q.text for q in questions] + [q.query() for q in questions])
        sentence_vec = dict(zip(texts, vectors[: len(texts)]))
        question_vec = dict(zip((q.id for q in questions), vectors[len(texts):len(texts) + len(questions)]))
        query_vec = dict(zip((q.id for q in questions), vectors[len(texts) + len(questions):]))
        # Passages as they are stored (title and heading first), so their cached vectors serve.
        passage_vec = dict(zip(numbers, self.embedder.embed_documents([by_number[n].vector_text() for n in numbers])))
        # A question with no example answers (another template's, or an officer's "add the SEND pressures") stands
        # in for its own answer, so its scores stay on the scale its threshold was calibrated on.
        examples_of = {q.id: list(q.examples) or [q.text] for q in questions}
        examples = list(dict.fromkeys(e for q in questions for e in examples_of[q.id]))
        example_vec = dict(zip(examples, self.embedder.embed_documents(examples))) if examples else {}
        for question in questions:
            assessment = result.questions[question.id]
            qvec = question_vec[question.id]
            for cand in assessment.candidates:
                cand.sentence = float(np.dot(sentence_vec[cand.text], qvec))
                cand.passage = float(np.dot(passage_vec[cand.evidence_number], qvec))
                cand.keywords = keyword_share(question.keywords, cand.tokens)
                cand.query = float(np.dot(sentence_vec[cand.text], query_vec[question.id]))
                if example_vec:
                    cand.example = max(float(np.dot(sentence_vec[cand.text], example_vec[e])) for e in examples_of[question.id])
                cand.score = (weights.sentence * cand.sentence + weights.passage * cand.passage
                              + weights.keywords * cand.keywords + weights.query * cand.query + weights.example * cand.example)
            assessment.candidates.sort(key=lambda c: -c.score)
