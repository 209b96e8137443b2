"""The core API: one object the CLI, the web app and the evals all drive.

It wires the stages together (ingest -> index -> retrieve -> draft -> verify ->
budget) and owns the long-lived parts (embedder, store, retriever), created
lazily so that `assistant --help` and light commands stay fast.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Collection, Iterable, Iterator

from assistant.assess import sentence_homes
from assistant.budget import fit_section, plan_budget, reference_line_tokens, section_tokens
from assistant.config import Settings
from assistant.draft import DraftRequest, Drafter, get_drafter, resolve_drafter_name
from assistant.draft.base import DRAFTED_OFFLINE, REVISION
from assistant.progress import NO_PROGRESS, Progress
from assistant.records import Evidence, Gap, Plan, Section, SourceDocument
from assistant.render import parse_section_text
from assistant.sentences import normalise
from assistant.templates import PlanTemplate, Theme, load_template
from assistant.verify import verify_section

log = logging.getLogger(__name__)

REVISION_PASSAGES = 6


@dataclass
class DraftEvent:
    """What a streamed draft yields: text as it arrives, a restart (clear what was shown), then the section."""

    kind: str  # "text" | "restart" | "section" | "error"
    text: str = ""
    section: Section | None = None


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()

    # -- parts, built on first use ---------------------------------------------------------
    @cached_property
    def template(self) -> PlanTemplate:
        return load_template(self.settings.prompts_dir, self.settings.template)

    @cached_property
    def embedder(self):
        from assistant.embed import get_embedder

        return get_embedder(self.settings.embedder)

    @cached_property
    def store(self):
        from assistant.store import ChunkStore

        return ChunkStore(self.settings, self.embedder)

    @cached_property
    def tuning(self):
        from assistant.tuning import load_tuning

        return load_tuning(self.settings.embedder, self.settings.prompts_dir)

    @cached_property
    def assessor(self):
        from assistant.assess import Assessor

        return Assessor(self.embedder, self.tuning)

    @cached_property
    def retriever(self):
        from assistant.retrieve import HybridRetriever

        return HybridRetriever(self.store, self.embedder)

    def drafter(self, name: str | None = None) -> Drafter:
        return get_drafter(self.settings, name)

    # -- corpus ----------------------------------------------------------------------------
    def ingest(self, paths: list[Path], prune: bool = False, progress: Progress = NO_PROGRESS):
        from assistant.ingest.pipeline import ingest_paths

        return ingest_paths(paths, self.store, self.embedder, self.settings, prune=prune, progress=progress)

    def sources(self) -> list[SourceDocument]:
        return self.store.documents()

    # -- evidence --------------------------------------------------------------------------
    def gather_evidence(self, theme: Theme, doc_ids: Collection[str] | None = None) -> tuple[list[Evidence], dict[str, list[int]]]:
        """Retrieve passages for each guidance question (from `doc_ids` only, when given: a plan's
        document set); number them once per theme.

        Passages join the theme's evidence in rounds, each question's best first, then each
        one's second best, and so on until the cap: taken question by question, the first
        questions filled the cap and the last one drafted from leftovers."""
        per_question, cap = self.tuning.drafting.passages_per_question, self.tuning.drafting.max_evidence_per_theme
        hits = {q.id: self._question_hits(q, per_question, doc_ids) for q in theme.questions}
        evidence: list[Evidence] = []
        number_of: dict[str, int] = {}
        by_question: dict[str, list[int]] = {q.id: [] for q in theme.questions}
        for rank in range(per_question):
            for question_id, ranked in hits.items():
                if rank < len(ranked) and (number := _number(evidence, number_of, ranked[rank], cap)):
                    by_question[question_id].append(number)
        return evidence, by_question

    def _question_hits(self, question, k: int, doc_ids: Collection[str] | None) -> list:
        """A question's best k passages; with a subject_pool, those that name its subject first (rank kept within each)."""
        pool = self.tuning.drafting.subject_pool if question.subject else 1
        hits = self.retriever.search(question.query(), k=k * pool, doc_ids=doc_ids)
        if pool > 1:
            hits = sorted(hits, key=lambda h: not question.names_subject(h.chunk.text))
        return hits[:k]

    def _add_evidence(self, evidence: list[Evidence], query: str, k: int, cap: int,
                      doc_ids: Collection[str] | None = None) -> list[int]:
        """Search, append passages not yet in `evidence` (numbering continues), return the hits' numbers."""
        number_of = {e.chunk_id: e.number for e in evidence}
        hits = self.retriever.search(query, k=k, doc_ids=doc_ids)
        return [number for hit in hits if (number := _number(evidence, number_of, hit, cap))]

    def _request(self, theme_id: str, exclude: set[str] | None = None, doc_ids: Collection[str] | None = None) -> DraftRequest:
        """Retrieve, then assess: what answers each guidance question, and which are evidence gaps."""
        theme = self.template.theme(theme_id)
        evidence, by_question = self.gather_evidence(theme, doc_ids)
        request = DraftRequest(
            theme, theme.heading, evidence, by_question, self.template.allowance(theme_id), set(), self.template.title,
            reference_line_tokens=reference_line_tokens(self.template),
        )
        return self._assess(request, exclude or set())

    def _assess(self, request: DraftRequest, exclude: set[str]) -> DraftRequest:
        """(Re)assess a request's evidence, leaving out the sentences in `exclude` (normalised)."""
        # Restating any part of the template (another theme's heading, say) answers nothing.
        restated = [t for th in self.template.themes for t in (th.title, th.heading, *(q.text for q in th.questions))]
        request.exclude = exclude
        request.assessment = self.assessor.assess(request.theme.questions, request.evidence, request.by_question, exclude, restated)
        return request

    def assess_theme(self, theme_id: str):
        """The assess stage alone for one theme: per guidance question its candidates, score and verdict (draft --explain)."""
        request = self._request(theme_id)
        return request, request.assessment

    # -- drafting --------------------------------------------------------------------------
    def _verify(self, section: Section, strict: bool = True) -> Section:
        return verify_section(section, strict=strict, embedder=self.embedder, weak_support=self.tuning.verification.weak_support)

    def _finish(self, section: Section, request: DraftRequest, drafter: Drafter) -> Section:
        """Verify, then fit the budget: one 'shorten' revision for a drafter that rewrites to a length, then
        deterministic trimming. A model's question left with no verified sentence takes the offline drafter's;
        a question left with none at all is re-marked as an evidence gap, saying which stage removed them."""
        drafted = _per_question(section)
        section = self._verify(section)
        if drafter.capabilities.needs_offline_fallback and request.current is None:
            section = self._offline_for_emptied(section, request, drafted)
        verified = _per_question(section)
        if section_tokens(section, request.heading, request.reference_line_tokens) > request.allowance and drafter.capabilities.rewrites_to_length:
            words = drafter.target_words(request)
            shorter = drafter.revise(self._revision_request(request, section, f"shorten to {words} words", words))
            shorter = self._verify(shorter)
            shorter.notes = section.notes + [f"asked the model to shorten the section to {words} words"] + shorter.notes
            section = shorter
        section = fit_section(section, request.heading, request.allowance, request.reference_line_tokens)
        _remark_gaps(section, request, drafted, verified)
        return section

    def _offline_for_emptied(self, section: Section, request: DraftRequest, drafted: dict[str, int]) -> Section:
        """Questions the model answered but whose every sentence verification removed get the offline
        drafter's (verified) sentences for them, with a note, instead of an empty paragraph."""
        verified = _per_question(section)
        emptied = [q for q in request.theme.questions if drafted.get(q.id) and not verified.get(q.id)]
        if not emptied:
            return section
        offline = self._verify(self.drafter("offline").draft(request))
        kept = {normalise(s.text) for s in section.sentences}
        for question in emptied:
            own = [s for s in offline.sentences if s.question_id == question.id and normalise(s.text) not in kept]
            if not own:
                continue  # _remark_gaps says verification removed them
            section.sentences += own
            kept.update(normalise(s.text) for s in own)
            section.notes.append(f"{DRAFTED_OFFLINE} for \u201c{question.text}\u201d: verification removed all "
                                 f"{drafted[question.id]} sentences the model wrote for it, so the offline drafter's "
                                 f"{len(own)} are used.")
        _reparagraph(section, request.theme)
        return section

    @staticmethod
    def _revision_request(base: DraftRequest, current: Section, instruction: str, words: int | None = None) -> DraftRequest:
        return DraftRequest(
            base.theme, base.heading, current.evidence, base.by_question, base.allowance, base.exclude, base.plan_title,
            current=current, instruction=instruction, on_text=base.on_text, on_restart=base.on_restart, target_words=words,
            reference_line_tokens=base.reference_line_tokens,
        )

    def draft_section(self, theme_id: str, exclude: set[str] | None = None, drafter: str | None = None,
                      on_text=None, on_restart=None, doc_ids: Collection[str] | None = None) -> Section:
        """One section, from the documents in `doc_ids` only when given (None: every document).

        The web app drafts a plan section by section, in the officer's order: as in draft_plan, a sentence that
        answers a question of another theme more closely is left to that theme (and `exclude`, the sentences other
        sections already use, stays out), so the first section drafted does not take a later one's answers."""
        theme_id = self.template.theme(theme_id).id  # an unknown theme: the template's error naming the ones it has
        requests = {theme.id: self._request(theme.id, doc_ids=doc_ids) for theme in self.template.themes}
        home = _sentence_homes(requests.values(), self.tuning.drafting.homes_by_need_share)
        request = self._assess(requests[theme_id], (exclude or set()) | _elsewhere(home, theme_id))
        request.on_text, request.on_restart = on_text, on_restart
        backend = self.drafter(drafter)
        return self._finish(backend.draft(request), request, backend)

    def stream_section(self, theme_id: str, drafter: str | None = None, exclude: set[str] | None = None,
                       doc_ids: Collection[str] | None = None) -> Iterator[DraftEvent]:
        """Draft one section, yielding text as the model writes it, then the verified section."""
        return self._stream(
            lambda on_text, on_restart: self.draft_section(theme_id, exclude, drafter, on_text=on_text, on_restart=on_restart,
                                                           doc_ids=doc_ids),
            f"drafting {theme_id}",
        )

    def stream_revision(self, section: Section, instruction: str, drafter: str | None = None,
                        doc_ids: Collection[str] | None = None) -> Iterator[DraftEvent]:
        """Revise a section as `revise_section` does, yielding text as the model writes it."""
        return self._stream(
            lambda on_text, on_restart: self.revise_section(section, instruction, drafter, on_text=on_text, on_restart=on_restart,
                                                            doc_ids=doc_ids),
            f"revising {section.theme_id}",
        )

    @staticmethod
    def _stream(run, what: str) -> Iterator[DraftEvent]:
        """Run `run(on_text, on_restart) -> Section` in a thread; yield its text, then the section (or the error)."""
        events: queue.Queue[DraftEvent | None] = queue.Queue()

        def work():
            try:
                section = run(lambda t: events.put(DraftEvent("text", t)), lambda: events.put(DraftEvent("restart")))
                events.put(DraftEvent("section", section=section))
            except Exception as exc:  # noqa: BLE001 - delivered to the consumer as an event
                log.exception("%s failed", what)
                events.put(DraftEvent("error", text=str(exc)))
            finally:
                events.put(None)

        threading.Thread(target=work, daemon=True).start()
        while (event := events.get()) is not None:
            yield event

    def draft_plan(self, theme_ids: list[str] | None = None, drafter: str | None = None, progress: Progress = NO_PROGRESS,
                   doc_ids: Collection[str] | None = None) -> Plan:
        if self.store.count() == 0:
            raise RuntimeError("the store is empty: ingest the council's documents first (`assistant ingest corpus/`)")
        themes = [self.template.theme(t) for t in theme_ids] if theme_ids else self.template.themes
        name = resolve_drafter_name(self.settings, drafter)
        backend = self.drafter(name)
        progress.start(len(themes), f"Drafting ({name})")
        if not backend.capabilities.drafts_in_parallel:
            # In turn, so no sentence is used in two sections; and a sentence that answers questions of two themes
            # is left to the one it answers best, so the first theme drafted does not take the later one's answer
            # and leave it an evidence gap.
            requests = [self._request(theme.id, doc_ids=doc_ids) for theme in themes]
            home = _sentence_homes(requests, self.tuning.drafting.homes_by_need_share)
            used: set[str] = set()
            sections = []
            for theme, request in zip(themes, requests):
                request = self._assess(request, used | _elsewhere(home, theme.id))
                section = self._finish(backend.draft(request), request, backend)
                used.update(normalise(s.text) for s in section.sentences)
                sections.append(section)
                progress.advance(theme.title)
        else:
            # Retrieval first, in this thread; then the model calls, a few at a time.
            requests = [self._request(theme.id, doc_ids=doc_ids) for theme in themes]

            def one(request: DraftRequest) -> Section:
                section = self._finish(backend.draft(request), request, backend)
                progress.advance(request.theme.title)
                return section

            with ThreadPoolExecutor(max_workers=max(1, self.settings.llm_concurrency)) as pool:
                sections = list(pool.map(one, requests))
        progress.finish()
        plan = Plan(self.template.id, self.template.title, sections, self.template.page_limit, self.template.tokens_per_page,
                    council=self.settings.council)
        plan.total_tokens = plan_budget(plan, self.template)[1]
        return plan

    def revise_section(self, section: Section, instruction: str, drafter: str | None = None,
                       on_text=None, on_restart=None, doc_ids: Collection[str] | None = None) -> Section:
        """Revise a section as an officer asks: fresh evidence for the instruction (from `doc_ids` only, when
        given), old citations kept where valid."""
        theme = self.template.theme(section.theme_id)
        evidence = list(section.evidence)
        numbers = self._add_evidence(evidence, f"{instruction} {theme.title}", REVISION_PASSAGES, len(evidence) + REVISION_PASSAGES,
                                     doc_ids)
        current = Section(**{**section.__dict__, "evidence": evidence})
        by_question = {REVISION: numbers}
        request = DraftRequest(theme, theme.heading, evidence, by_question, self.template.allowance(theme.id), set(),
                               self.template.title, current=current, instruction=instruction,
                               on_text=on_text, on_restart=on_restart,
                               reference_line_tokens=reference_line_tokens(self.template))
        backend = self.drafter(drafter)
        revised = backend.revise(request)
        notes = revised.notes
        revised = self._finish(revised, request, backend)
        revised.notes = list(dict.fromkeys(notes + revised.notes))
        return revised

    def edit_section(self, section: Section, text: str) -> Section:
        """The officer's own wording: re-verified and re-counted, never rewritten.

        Non-strict: a sentence the sources do not support is flagged for the
        reviewer, not removed; accepting the section is what requires it clean.
        """
        edited = Section(**{**section.__dict__, "sentences": parse_section_text(text), "notes": []})
        edited = self._verify(edited, strict=False)
        edited.tokens = section_tokens(edited, self.template.theme(section.theme_id).heading, reference_line_tokens(self.template))
        edited.allowance = self.template.allowance(section.theme_id)
        edited.drafter = section.drafter if section.drafter.endswith("+edited") else f"{section.drafter}+edited"
        return edited

    # -- saved drafts: every stage's output can be reloaded and re-run ------------------------
    def drafts_dir(self) -> Path:
        return self.settings.data_dir / "drafts"

    def save_plan(self, plan: Plan, name: str = "latest") -> Path:
        path = self.drafts_dir() / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(plan.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)  # atomic: a crash leaves the previous save intact
        return path

    def load_plan(self, name: str = "latest") -> Plan:
        path = self.drafts_dir() / f"{name}.json"
        if not path.exists():
            raise RuntimeError(f"no saved draft '{name}' in {self.drafts_dir()}: run `assistant draft` first")
        return Plan.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def replace_section(self, plan: Plan, section: Section) -> Plan:
        plan.sections = [section if s.theme_id == section.theme_id else s for s in plan.sections]
        if section.theme_id not in {s.theme_id for s in plan.sections}:
            plan.sections.append(section)
        plan.total_tokens = plan_budget(plan, self.template)[1]
        return plan


def _sentence_homes(requests: Iterable[DraftRequest], need_share: float) -> dict[str, str]:
    return sentence_homes([(r.theme.id, r.assessment) for r in requests], need_share)


def _elsewhere(home: dict[str, str], theme_id: str) -> set[str]:
    """The sentences (normalised) that another theme answers more closely: that theme's to use."""
    return {text for text, theme in home.items() if theme != theme_id}


def _per_question(section: Section) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in section.sentences:
        counts[s.question_id] = counts.get(s.question_id, 0) + 1
    return counts


def _reparagraph(section: Section, theme: Theme) -> None:
    """Sentences in the template's question order (stable within a question), a paragraph per question."""
    order = {q.id: i for i, q in enumerate(theme.questions)}
    section.sentences.sort(key=lambda s: order.get(s.question_id, len(order)))
    paragraphs: dict[str, int] = {}
    for s in section.sentences:
        s.paragraph = paragraphs.setdefault(s.question_id, len(paragraphs))


def _remark_gaps(section: Section, request: DraftRequest, drafted: dict[str, int], verified: dict[str, int]) -> None:
    """Questions the assessment found answered that end with no sentence become gaps, with the stage that emptied them."""
    listed = {g.question_id for g in section.gaps}
    final = _per_question(section)
    assessed = request.assessment.questions if request.assessment else {}
    for question in request.theme.questions:
        if question.id in listed or final.get(question.id):
            continue
        best = assessed[question.id].best if question.id in assessed else None
        if drafted.get(question.id) and not verified.get(question.id):
            reason = f"verification removed the {drafted[question.id]} sentences drafted for it (see the section's notes)"
        elif verified.get(question.id):
            reason = f"its {verified[question.id]} sentences were cut to keep the section within its allowance"
        elif question.id in assessed and assessed[question.id].answered:
            reason = "its answering sentences repeat ones already used in the plan, or did not fit the allowance"
        else:
            continue  # the drafter listed it as a gap itself, or never had evidence for it
        section.gaps.append(Gap(question.id, question.text, reason, round(best.score, 3) if best else None))
    order = {q.id: i for i, q in enumerate(request.theme.questions)}
    section.gaps.sort(key=lambda g: order.get(g.question_id, len(order)))


def _number(evidence: list[Evidence], number_of: dict[str, int], hit, cap: int) -> int | None:
    """The evidence number of a hit's passage, appending it if new and under `cap` (else None)."""
    if hit.chunk.id not in number_of:
        if len(evidence) >= cap:
            return None
        number_of[hit.chunk.id] = len(evidence) + 1
        evidence.append(Evidence.from_chunk(len(evidence) + 1, hit.chunk, hit.score))
    return number_of[hit.chunk.id]
