"""The LLM drafter: any OpenAI-compatible endpoint, asked for a cited section as JSON.

The model sees only numbered, delimited evidence passages; it answers with
sentences and the passage numbers each relies on. Its reply then goes through
the same verification and budget stages as any draft. When the endpoint keeps
failing, the section is drafted offline instead and the section says so.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from string import Template

from assistant.assess import Assessor, QuestionAssessment, below
from assistant.config import Settings
from assistant.embed import Embedder
from assistant.llm.backend import BackendAuthError, BackendError, FormatUnsupported, Retrying, chat_backend
from assistant.llm.structured import CapabilityMemory, NotAnswered, ReplyInvalid, parse_reply, response_format
from assistant.records import Gap, Section, Sentence
from assistant.render import section_body
from assistant.tokens import count_tokens
from assistant.tuning import load_tuning

from .base import DRAFTED_OFFLINE, FALLBACK_DRAFTER, MODEL_CAPABILITIES, REVISED_OFFLINE, REVISION, DraftRequest, assess_request
from .injection import defuse, fence_safe
from .offline import OfflineDrafter

log = logging.getLogger(__name__)

# Prose runs about 1.35 cl100k tokens a word; markers and the heading take a little more.
TOKENS_PER_WORD = 1.45
PASSAGES_PER_QUESTION = 3  # prompt evaluation dominates the time on a CPU
# Passages a revision prompt shows at most (about 200 tokens each): a theme's evidence (up to the tuning's
# max_evidence_per_theme) plus the instruction's would overrun a small local model's context.
REVISION_PROMPT_PASSAGES = 16
# Sentences asked for a question the relevance check gated: the answer schema's minimum (llm/structured.py).
GATED_SENTENCES = 2


def words_for(allowance: int, heading: str) -> int:
    return max(30, int((allowance - count_tokens(heading) - 4) / TOKENS_PER_WORD))


class PromptSet:
    """The prompt files in prompts/llm/, filled with string.Template ($name) so JSON braces stay literal."""

    def __init__(self, folder: Path):
        self.folder = folder

    def text(self, name: str) -> str:
        return (self.folder / f"{name}.md").read_text(encoding="utf-8").strip()

    def render(self, name: str, **values) -> str:
        # A placeholder left empty (no note for a question the relevance check passed) leaves no blank lines behind.
        return re.sub(r"\n{3,}", "\n\n", Template(self.text(name)).safe_substitute(**values))

    @staticmethod
    def evidence_block(evidence) -> str:
        """Numbered passages, each fenced as quoted data. The document text cannot close the fence or
        open a chat turn, and what it addresses to a model is cut (draft/injection.py); the location
        line outside the fence (title and heading, from the document too) is defused and kept to one line."""
        return "\n\n".join(
            f"[{e.number}] {' '.join(defuse(e.location()).split())[:200]}\n<passage>\n{fence_safe(e.text)}\n</passage>"
            for e in evidence
        )

    def question_messages(self, request: DraftRequest, question: str, evidence, sentences: int, mode: str,
                          gated: bool = False) -> list[dict]:
        """`gated`: the relevance check found no passage that clearly answers the question, and the prompt says so."""
        note = self.text("gated_prose" if mode == "prose" else "gated_json") if gated else ""
        user = self.render(
            "question", heading=request.heading, plan_title=request.plan_title, question=question, sentences=sentences,
            gated=note, evidence=self.evidence_block(evidence), format_instructions=self._format(mode),
        )
        return self._wrap(user)

    def revision_messages(self, request: DraftRequest, words: int, mode: str) -> list[dict]:
        user = self.render(
            "revise", heading=request.heading, plan_title=request.plan_title, draft=defuse(section_body(request.current)),
            instruction=request.instruction.replace('"', "'"), words=words,
            evidence=self.evidence_block(revision_evidence(request)), format_instructions=self._format(mode),
        )
        return self._wrap(user)

    def _format(self, mode: str) -> str:
        return self.text("format_prose" if mode == "prose" else "format_json")

    def _wrap(self, user: str) -> list[dict]:
        return [{"role": "system", "content": self.text("system")}, {"role": "user", "content": user}]


def revision_evidence(request: DraftRequest, most: int = REVISION_PROMPT_PASSAGES) -> list:
    """The passages a revision prompt shows, numbers unchanged: every passage the draft cites (the model must be
    able to keep its citations) and those retrieved for the instruction, then the theme's others in order, up to
    `most` in all (more only when the draft itself cites more)."""
    cited = {n for s in request.current.sentences for n in s.citations} if request.current else set()
    wanted = cited | set(request.by_question.get(REVISION, []))
    first = [e for e in request.evidence if e.number in wanted]
    rest = [e for e in request.evidence if e.number not in wanted]
    shown = {e.number for e in first + rest[:max(0, most - len(first))]}
    return [e for e in request.evidence if e.number in shown]


class LLMDrafter:
    name = "llm"
    capabilities = MODEL_CAPABILITIES

    def __init__(self, settings: Settings, embedder: Embedder, client: Retrying | None = None):
        # Any chat backend with the retry policy: the settings' (OpenAI-compatible, or the managed local server).
        self.client = client or chat_backend(settings)
        self.memory = CapabilityMemory(settings.data_dir / "llm_capabilities.json")
        self.prompts = PromptSet(settings.prompts_dir / "llm")
        self.offline = OfflineDrafter(embedder, load_tuning(settings.embedder, settings.prompts_dir))
        self.assessor = Assessor(embedder, self.offline.tuning)  # the same scorer and thresholds as the assess stage
        self.max_tokens = int(settings.extra.get("llm_max_tokens", 1200))

    # -- the Drafter interface ---------------------------------------------------------
    def describe(self) -> str:
        return self.client.describe()

    def target_words(self, request: DraftRequest) -> int:
        return words_for(request.allowance, request.heading)

    def draft(self, request: DraftRequest) -> Section:
        """One model call per guidance question that has evidence, each seeing only that question's passages.

        Small models lose the thread in a long prompt of many passages; a question and its
        four or five passages keeps them on it, and makes one paragraph per question.
        """
        assessment = assess_request(request, self.offline.embedder, self.offline.tuning)
        verdicts = assessment.questions
        questions = request.theme.questions
        answered, gated = self.questions_to_ask(request, assessment)
        asked = [q for q in questions if q.id in answered | gated]
        gaps = [verdicts[q.id].gap() for q in questions if q.id not in answered | gated]
        # The allowance is shared by the answered questions only, a gated one asked for the minimum: shared by
        # every question asked, it left each answer one sentence (Qwen 1.5B, sample-corpus coverage 0.80 -> 0.50).
        per_question = max(2, min(4, words_for(request.allowance, request.heading) // max(1, len(answered)) // 22))
        pairs: list[tuple[str, list[int], str]] = []
        notes: list[str] = []
        try:
            for question in asked:
                evidence = self.evidence_for(request, question)
                is_gated = question.id in gated
                answer = self.ask(request, question, evidence, GATED_SENTENCES if is_gated else per_question, is_gated)
                verdict = verdicts[question.id]
                if not answer:
                    score = f" (best offline score {verdict.best.score:.2f})" if verdict.best else ""
                    gaps.append(Gap(question.id, question.text, f"the model found no answer in the {len(evidence)} passages "
                                    f"retrieved for it{score}", round(verdict.best.score, 3) if verdict.best else None))
                    continue
                if is_gated:
                    gap, note = self._check_gated(question, answer, evidence, verdict)
                    if gap:
                        gaps.append(gap)
                        continue
                    notes.append(note)
                pairs += [(text, numbers, question.id) for text, numbers in answer]
        except BackendError as exc:
            return self._fallback(request, exc)
        section = self._section(request, pairs)
        order = {q.id: i for i, q in enumerate(questions)}
        section.gaps = sorted(gaps, key=lambda g: order[g.question_id])
        section.notes += notes
        return section

    def questions_to_ask(self, request: DraftRequest, assessment) -> tuple[set[str], set[str]]:
        """The questions the relevance check found answered, and the gated ones the model is asked all the same.

        With `llm_asks: with_evidence` (tuning), a question whose candidates all scored under its threshold is
        asked too, told so, and its answer kept only if it clears the threshold, plus a margin, itself (_check_gated):
        the relevance check misses answers worded far from the question, and the model reads the passages."""
        verdicts = assessment.questions
        questions = request.theme.questions
        answered = {q.id for q in questions if verdicts[q.id].answered}
        gated = {q.id for q in questions if self.offline.tuning.drafting.llm_asks == "with_evidence"
                 and q.id not in answered and request.by_question.get(q.id) and verdicts[q.id].candidates}
        return answered, gated

    @staticmethod
    def evidence_for(request: DraftRequest, question) -> list:
        """The passages a question's prompt shows: its first few retrieved (prompt evaluation dominates on a CPU)."""
        by_number = request.evidence_by_number()
        return [by_number[n] for n in request.by_question.get(question.id, [])[:PASSAGES_PER_QUESTION]]

    def ask(self, request: DraftRequest, question, evidence, sentences: int, gated: bool) -> list[tuple[str, list[int]]]:
        """The model's answer to one question from its passages: (sentence, passage numbers) pairs, [] for "not answered"."""
        return self._ask(lambda mode: self.prompts.question_messages(request, question.text, evidence, sentences, mode,
                                                                     gated=gated), request)

    def gated_threshold(self, verdict: QuestionAssessment) -> float:
        """What a model's answer to a gated question must score: the question's threshold plus the margin calibrated
        on model answers (tuning `gated_answer_margin`). A model restates the question in its own sentences, which lifts
        their similarity to it above a source sentence's that answers it as well."""
        return verdict.threshold + self.offline.tuning.drafting.gated_answer_margin

    def _check_gated(self, question, answer: list[tuple[str, list[int]]], evidence,
                     verdict: QuestionAssessment) -> tuple[Gap | None, str]:
        """A model's answer to a gated question, scored as the assess stage scores candidates: the gap it leaves when
        its best sentence is still under the question's threshold plus the margin (gated_threshold), or else a note for the reviewer saying it was kept
        (it answers a question no passage was found to answer, so it deserves a look). A small model writes topical
        sentences for questions the documents do not answer; this is what keeps them out."""
        threshold = self.gated_threshold(verdict)
        scored = self.assessor.score_answer(question, answer, evidence, threshold)
        if scored.answered:
            return None, (f"The model answered \u201c{question.text}\u201d, which no passage was found to answer clearly; "
                          f"its answer scored {scored.best.score:.2f} >= {threshold:.2f} for the question, so it is kept.")
        offline = f" (best passage scored {verdict.best.score:.2f})" if verdict.best else ""
        if scored.best is None:
            why = (f"names the question's subject ({question.subject_words()}) citing a passage that names it too, "
                   f"so the answer was left out as being about something else" if scored.candidates else
                   "cites a passage retrieved for it without restating the question, so the answer was left out; "
                   "no passage answers it closely enough")
            reason = f"the model answered, but no sentence of its answer {why}{offline}"
            return Gap(question.id, question.text, reason, round(verdict.best.score, 3) if verdict.best else None), ""
        written = "its sentence was" if len(answer) == 1 else f"its {len(answer)} sentences were"
        reason = (f"the model answered, but its answer scored {below(scored.best.score, threshold)} for this question: "
                  f"no passage answers it closely enough{offline}, and {written} left out as being about the topic "
                  f"rather than an answer")
        return Gap(question.id, question.text, reason, round(scored.best.score, 3)), ""

    def revise(self, request: DraftRequest) -> Section:
        current = request.current
        words = request.target_words or words_for(request.allowance, request.heading)
        try:
            replies = self._ask(lambda mode: self.prompts.revision_messages(request, words, mode), request)
            if not replies:
                raise BackendError("the model wrote no revised text")
        except BackendError as exc:
            fallback = self.offline.revise(request)
            # Labelled, so the officer's reply says who made this revision and why (draft.fallback_notes).
            fallback.drafter = FALLBACK_DRAFTER
            fallback.notes.insert(0, f"{REVISED_OFFLINE}: {_reason(exc)}.")
            log.warning("revision of %s made offline: %s", request.theme.id, _reason(exc))
            return fallback
        question_of = {}
        for q in request.theme.questions:
            for n in request.by_question.get(q.id, []):
                question_of.setdefault(n, q.id)
        for s in current.sentences if current else []:
            for n in s.citations:
                question_of.setdefault(n, s.question_id)
        pairs = [(text, numbers, next((question_of[n] for n in numbers if n in question_of), REVISION)) for text, numbers in replies]
        section = self._section(request, pairs)
        section.gaps = list(current.gaps) if current else []
        return section

    # -- internals -----------------------------------------------------------------------
    def _ask(self, messages_for, request: DraftRequest) -> list[tuple[str, list[int]]]:
        """Climb down the response-format ladder until a reply parses; remember what worked."""
        endpoint = self.client.key
        problems = []
        for mode in self.memory.ladder(endpoint):
            messages = messages_for(mode)
            try:
                reply = self.client.complete(
                    messages, response_format(mode), self.max_tokens, on_delta=request.on_text, on_restart=request.on_restart
                )
                pairs = parse_reply(reply, mode)
            except NotAnswered:
                self.memory.remember(endpoint, mode)
                return []
            except FormatUnsupported as exc:
                log.info("endpoint %s: %s; trying the next format", endpoint, exc)
                problems.append(f"{mode}: not supported")
                continue
            except ReplyInvalid as exc:
                log.info("endpoint %s gave an invalid %s reply: %s", endpoint, mode, exc)
                problems.append(f"{mode}: {exc}")
                if request.on_restart:
                    request.on_restart()
                continue
            self.memory.remember(endpoint, mode)
            return pairs
        raise BackendError("no usable reply in any format (" + "; ".join(problems) + ")")

    def _section(self, request: DraftRequest, pairs: list[tuple[str, list[int], str]]) -> Section:
        """Sentences from the replies, a paragraph per guidance question, in the template's order."""
        order = {q.id: i for i, q in enumerate(request.theme.questions)}
        pairs = sorted(pairs, key=lambda p: order.get(p[2], len(order)))  # stable: keeps the model's order within a question
        paragraphs: dict[str, int] = {}
        sentences = [
            Sentence(text=text, citations=numbers, paragraph=paragraphs.setdefault(question, len(paragraphs)), question_id=question)
            for text, numbers, question in pairs
        ]
        return Section(
            theme_id=request.theme.id,
            title=request.theme.title,
            sentences=sentences,
            evidence=request.evidence,
            drafter=f"llm:{self.client.model}",
        )

    def _fallback(self, request: DraftRequest, exc: BackendError) -> Section:
        section = self.offline.draft(request)
        section.drafter = FALLBACK_DRAFTER
        section.notes.append(f"{DRAFTED_OFFLINE}: {_reason(exc)}.")
        log.warning("section %s drafted offline: %s", request.theme.id, _reason(exc))
        return section


def _reason(exc: BackendError) -> str:
    """What went wrong, in one phrase the officer can act on (the client's messages carry no key)."""
    text = str(exc)
    return text if isinstance(exc, BackendAuthError) or text.startswith("the model endpoint") else f"the model endpoint failed: {text}"
