"""Fixtures for the eval tests: the real offline judge (bundled MiniLM) and hand-built sections."""

from __future__ import annotations

import pytest

from assistant.embed import get_embedder
from assistant.records import Evidence, Section, Sentence
from evals.judges import OfflineJudge

AGENCY = ("Spend on agency staff fell from £1.6 million in 2022/23 to £1.1 million in 2023/24, "
          "as permanent posts in waste services and planning were filled.")
CONSULTANTS = "Spend on consultants was £385,000 in 2023/24, of which £240,000 supported the planning service."
RECYCLING = "Our recycling rate was 47% in 2023/24, and we aim to reach 55% by 2028."


@pytest.fixture(scope="session")
def offline_judge() -> OfflineJudge:
    return OfflineJudge(get_embedder("minilm"))


def evidence(*texts: str) -> list[Evidence]:
    return [Evidence(i, f"c{i}", f"d{i}", f"Doc {i}", f"/docs/doc{i}.txt", None, "", t) for i, t in enumerate(texts, 1)]


def section(sentences: list[Sentence], *passages: str, theme_id: str = "wasteful_spend", gaps=None) -> Section:
    return Section(theme_id, "Reducing wasteful spend", sentences, evidence(*passages), gaps=list(gaps or []))


@pytest.fixture(scope="session")
def realworld_councils(tmp_path_factory):
    """Each real council of ../shared/realworld ingested once into its own store: {id: (council, Assistant)}.
    Skipped when the set is absent (a bare checkout)."""
    from assistant.api import Assistant
    from assistant.config import Settings
    from evals import realworld

    if not realworld.available():
        pytest.skip(f"real-world set not found at {realworld.realworld_dir()}")
    out = {}
    for council in realworld.load_councils():
        root = tmp_path_factory.mktemp(f"realworld-{council.id}")
        docs = realworld.prepare_council(council, root / "documents")
        assistant = Assistant(Settings(data_dir=root / "data"))
        report = assistant.ingest([docs])
        assert report.ok, (council.id, report.failed)
        out[council.id] = (council, assistant)
    return out


@pytest.fixture(scope="session")
def realworld_plans(realworld_councils):
    """Each council's plan, drafted offline from its own documents: {id: (council, assistant, plan)}."""
    return {cid: (council, assistant, assistant.draft_plan()) for cid, (council, assistant) in realworld_councils.items()}
