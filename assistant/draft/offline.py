"""The offline drafter: no model, grounded by construction.

Every sentence of its draft is a sentence of a retrieved passage (paragraph
numbers stripped), cited to that passage, so every figure is the source's own.
The assess stage (assistant/assess.py) has already ranked, per guidance
question, the sentences of that question's evidence and decided which questions
are evidence gaps; this drafter takes the relevant candidates, skips repeats,
and takes turns across questions so that one rich question cannot eat the
whole allowance.
"""

from __future__ import annotations

import copy
import re

from assistant.assess import Candidate, repeats
from assistant.budget import section_tokens
from assistant.embed import Embedder
from assistant.records import Section, Sentence
from assistant.retrieve import tokenize
from assistant.sentences import normalise
from assistant.templates import GuidanceQuestion
from assistant.tuning import Tuning, load_tuning

from .base import OFFLINE_CAPABILITIES, REVISION, DraftRequest, assess_request

SHORTER = re.compile(r"\b(short|shorter|shorten|cut|trim|reduce|concise|brief|fewer words|tighten|too long)\b", re.IGNORECASE)
# "add the SEND pressures" -> "the SEND pressures": the topic is what retrieval and ranking need.
_ASK = re.compile(r"^\s*(please\s+)?(add|include|mention|cover|say more about|write more about|more on|expand on|tell (us|me) about)\s+(something\s+)?(about|on)?\s*", re.IGNORECASE)


def instruction_topic(instruction: str) -> str:
    return _ASK.sub("", instruction).strip(" .!?") or instruction


def names_topic(topic: str, passage: str) -> bool:
    """Whether a passage names an officer's topic: at least half of its terms ("temporary accommodation pressures":
    two of three). The relevance threshold is calibrated on the template's questions; a topic an officer types has
    no calibration, and a passage that never names it ("the Mars colony" against a passage on savings, which scored
    0.60 on the shared word "spending") is not what the documents say on it."""
    terms = set(tokenize(topic))
    return not terms or 2 * len(terms & set(tokenize(passage))) >= len(terms)


class OfflineDrafter:
    name = "offline"
    capabilities = OFFLINE_CAPABILITIES

    def __init__(self, embedder: Embedder, tuning: Tuning | None = None):
        self.embedder = embedder
        self.tuning = tuning or load_tuning()

    def draft(self, request: DraftRequest) -> Section:
        theme = request.theme
        assessment = assess_request(request, self.embedder, self.tuning)
        queues = {qid: q.answering for qid, q in assessment.questions.items()}
        section = Section(theme_id=theme.id, title=theme.title, sentences=[], evidence=request.evidence,
                          gaps=assessment.gaps(), drafter=self.name)
        limits = self.tuning.drafting
        chosen: dict[str, list[Candidate]] = {q.id: [] for q in theme.questions}
        picked_tokens: list[frozenset[str]] = []

        # Take turns: each question adds its next best sentence until none fits.
        progress = True
        while progress:
            progress = False
            for question in theme.questions:
                queue = queues[question.id]
                while queue and len(chosen[question.id]) < limits.max_per_question:
                    cand = queue.pop(0)
                    if any(repeats(cand.tokens, t, limits.redundancy_jaccard) for t in picked_tokens):
                        continue
                    chosen[question.id].append(cand)
                    trial = self._assemble(section, theme.questions, chosen)
                    if section_tokens(trial, request.heading, request.reference_line_tokens) > request.allowance:
                        chosen[question.id].pop()
                        continue  # a shorter sentence further down may still fit
                    picked_tokens.append(cand.tokens)
                    progress = True
                    break

        return self._assemble(section, theme.questions, chosen)

    def describe(self) -> str:
        return "offline: sentences are chosen from the council's own documents and cited"

    def target_words(self, request: DraftRequest) -> int:
        raise NotImplementedError("the offline drafter selects sentences; the budget stage trims them")

    def revise(self, request: DraftRequest) -> Section:
        """Offline revision: 'shorter' trims; anything else is taken as a topic to add from the evidence."""
        section = copy.deepcopy(request.current)
        section.notes = []
        if SHORTER.search(request.instruction):
            target = min(request.allowance, int(section.tokens * 0.7) if section.tokens else request.allowance)
            if len(section.sentences) <= 1:
                section.notes.append("the section is a single sentence already; nothing was cut (edit it to reword it)")
                return section
            # "Shorter" never empties a section: an officer asking for less still wants something.
            self._make_room(section, request.heading, target, keep_paragraph=None, keep_at_least=1,
                            line_tokens=request.reference_line_tokens)
            section.notes.append(f"shortened to about {target} tokens by dropping the last sentences of the longest paragraphs")
            return section
        topic = instruction_topic(request.instruction)
        question = GuidanceQuestion(id=REVISION, text=topic)
        theme = request.theme.model_copy(update={"questions": [question]})
        lookup = DraftRequest(
            theme, request.heading, request.evidence, {REVISION: request.by_question.get(REVISION, [])}, request.allowance,
            exclude={normalise(s.text) for s in section.sentences} | request.exclude,
        )
        assessment = assess_request(lookup, self.embedder, self.tuning)
        picks: list[Candidate] = []
        taken = [frozenset(tokenize(s.text)) for s in section.sentences]
        by_number = request.evidence_by_number()
        for cand in assessment.questions[REVISION].answering:
            if not names_topic(topic, by_number[cand.evidence_number].vector_text()):
                continue
            if len(picks) == 3:
                break
            if any(repeats(cand.tokens, t, self.tuning.drafting.redundancy_jaccard) for t in taken):
                continue
            picks.append(cand)
            taken.append(cand.tokens)
        if not picks:
            section.notes.append(f"nothing in the documents answers \u201c{topic}\u201d; the section is unchanged (add a document that covers it)")
            return section
        paragraph = max((s.paragraph for s in section.sentences), default=-1) + 1
        for cand in sorted(picks, key=lambda c: c.order):
            for text in cand.texts:
                if text not in {s.text for s in section.sentences}:
                    section.sentences.append(Sentence(text, [cand.evidence_number], paragraph, REVISION, support=1.0,
                                                      list_item=cand.list_item))
        self._make_room(section, request.heading, request.allowance, keep_paragraph=paragraph,
                        line_tokens=request.reference_line_tokens)
        section.notes.append(f"added what the documents say about \u201c{topic}\u201d")
        return section

    @staticmethod
    def _make_room(section: Section, heading: str, allowance: int, keep_paragraph: int | None, keep_at_least: int = 0,
                   line_tokens: int = 0) -> None:
        """Drop the last sentence of the longest paragraph (never `keep_paragraph`) until the section fits."""
        while section_tokens(section, heading, line_tokens) > allowance and len(section.sentences) > keep_at_least:
            sizes: dict[int, int] = {}
            for s in section.sentences:
                if s.paragraph != keep_paragraph:
                    sizes[s.paragraph] = sizes.get(s.paragraph, 0) + 1
            if not sizes:
                section.sentences.pop()
                continue
            longest = max(sizes, key=lambda p: (sizes[p], p))
            last = max(i for i, s in enumerate(section.sentences) if s.paragraph == longest)
            section.sentences.pop(last)

    @staticmethod
    def _assemble(base: Section, questions, chosen: dict[str, list[Candidate]]) -> Section:
        sentences: list[Sentence] = []
        seen: set[str] = set()
        paragraph = 0
        for question in questions:
            picks = sorted(chosen[question.id], key=lambda c: c.order)  # source order reads naturally
            added = False
            for cand in picks:
                for text in cand.texts:
                    if text in seen:  # a pair's lead sentence may also have been picked alone
                        continue
                    seen.add(text)
                    added = True
                    sentences.append(
                        Sentence(text=text, citations=[cand.evidence_number], paragraph=paragraph, question_id=question.id,
                                 support=1.0, list_item=cand.list_item)
                    )
            paragraph += added
        return Section(
            theme_id=base.theme_id,
            title=base.title,
            sentences=sentences,
            evidence=base.evidence,
            gaps=base.gaps,
            drafter=base.drafter,
        )
