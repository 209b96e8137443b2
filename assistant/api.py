"""The core API: one object the CLI, the web app and the evals all drive.

It wires the stages together (ingest -> index -> retrieve -> draft -> verify ->
budget) and owns the long-lived parts (embedder, store, retriever), created
lazily so that `assistant --help` and light commands stay fast.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from assistant.budget import fit_section
from assistant.config import Settings
from assistant.draft import DraftRequest, get_drafter, resolve_drafter_name
from assistant.progress import NO_PROGRESS, Progress
from assistant.records import Evidence, Plan, Section, SourceDocument
from assistant.sentences import normalise
from assistant.templates import PlanTemplate, Theme, load_template
from assistant.verify import verify_section

log = logging.getLogger(__name__)

PASSAGES_PER_QUESTION = 5
MAX_EVIDENCE_PER_THEME = 16


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
    def retriever(self):
        from assistant.retrieve import HybridRetriever

        return HybridRetriever(self.store, self.embedder)

    # -- corpus ----------------------------------------------------------------------------
    def ingest(self, paths: list[Path], prune: bool = False, progress: Progress = NO_PROGRESS):
        from assistant.ingest.pipeline import ingest_paths

        return ingest_paths(paths, self.store, self.embedder, self.settings, prune=prune, progress=progress)

    def sources(self) -> list[SourceDocument]:
        return self.store.documents()

    # -- drafting --------------------------------------------------------------------------
    def gather_evidence(self, theme: Theme) -> tuple[list[Evidence], dict[str, list[int]]]:
        """Retrieve passages for each guidance question; number them once per theme."""
        evidence: list[Evidence] = []
        number_of: dict[str, int] = {}
        by_question: dict[str, list[int]] = {}
        for question in theme.questions:
            numbers = []
            for hit in self.retriever.search(question.query(), k=PASSAGES_PER_QUESTION):
                if hit.chunk.id not in number_of:
                    if len(evidence) >= MAX_EVIDENCE_PER_THEME:
                        continue
                    number_of[hit.chunk.id] = len(evidence) + 1
                    evidence.append(Evidence.from_chunk(len(evidence) + 1, hit.chunk, hit.score))
                numbers.append(number_of[hit.chunk.id])
            by_question[question.id] = numbers
        return evidence, by_question

    def draft_section(self, theme_id: str, exclude: set[str] | None = None, drafter: str | None = None) -> Section:
        theme = self.template.theme(theme_id)
        evidence, by_question = self.gather_evidence(theme)
        allowance = self.template.allowance(theme_id)
        request = DraftRequest(theme, theme.heading, evidence, by_question, allowance, exclude or set())
        section = get_drafter(self.settings, drafter).draft(request)
        section = verify_section(section)
        return fit_section(section, theme.heading, allowance)

    def draft_plan(self, theme_ids: list[str] | None = None, drafter: str | None = None, progress: Progress = NO_PROGRESS) -> Plan:
        if self.store.count() == 0:
            raise RuntimeError("the store is empty: ingest the council's documents first (`assistant ingest corpus/`)")
        themes = [self.template.theme(t) for t in theme_ids] if theme_ids else self.template.themes
        used: set[str] = set()
        sections = []
        progress.start(len(themes), f"Drafting ({resolve_drafter_name(self.settings, drafter)})")
        for theme in themes:
            section = self.draft_section(theme.id, exclude=used, drafter=drafter)
            used.update(normalise(s.text) for s in section.sentences)
            sections.append(section)
            progress.advance(theme.title)
        progress.finish()
        plan = Plan(
            template_id=self.template.id,
            title=self.template.title,
            sections=sections,
            page_limit=self.template.page_limit,
            tokens_per_page=self.template.tokens_per_page,
        )
        from assistant.budget import plan_budget

        plan.total_tokens = plan_budget(plan, self.template)[1]
        return plan
