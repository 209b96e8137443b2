"""Shared fixtures: real parts throughout (Chroma on disk in a temp dir, the bundled
MiniLM embedder, the real plan template and sample corpus)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "CHROMA_HOST"):
    os.environ.pop(var, None)  # the tests choose their backends explicitly

from assistant.api import Assistant  # noqa: E402
from assistant.config import PROJECT_ROOT, Settings  # noqa: E402

pytest_plugins = ["tests.reliability_log"]  # docs/reliability.md, kept current by the tests

CORPUS = PROJECT_ROOT / "corpus"
SEEDS = Path(os.environ.get("ASSISTANT_SEEDS_DIR", PROJECT_ROOT.parent / "shared" / "seeds"))


def make_settings(data_dir: Path, **changes) -> Settings:
    return Settings(data_dir=data_dir, **changes)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def assistant(settings) -> Assistant:
    return Assistant(settings)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory) -> Assistant:
    """The sample corpus ingested once into its own store, shared by read-only tests."""
    a = Assistant(make_settings(tmp_path_factory.mktemp("corpus-store")))
    report = a.ingest([CORPUS])
    assert report.ok, report.failed
    return a


@pytest.fixture(scope="session")
def corpus_plan(corpus_assistant):
    return corpus_assistant.draft_plan()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir() or not any(SEEDS.iterdir()):
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS
