"""Settings from one place: defaults, overridden by environment variables.

Every knob the product has is read here and nowhere else, so tests can point
the whole product at a temp dir by building a `Settings` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = "productivity_plan"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".assistant")
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    template: str = DEFAULT_TEMPLATE
    # Store: embedded Chroma under data_dir unless a server is named.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "chunks"
    # Embedder backend name: "minilm" (bundled, offline) or "openai:<model>".
    embedder: str = "minilm"
    # Chunking, in tiktoken cl100k_base tokens. MiniLM reads at most 256
    # word pieces, so chunks stay well under that to be embedded whole.
    chunk_tokens: int = 180
    chunk_overlap: int = 30
    max_file_mb: int = 50
    # Drafter backend: "offline" or "llm"; "auto" picks llm when an endpoint is configured.
    drafter: str = "auto"
    openai_model: str = "gpt-4o-mini"
    llm_concurrency: int = 2  # sections drafted at once by the LLM drafter
    # Chat backend of the LLM drafter: "openai" (an OpenAI-compatible endpoint from the environment)
    # or "local" (the llama.cpp server the product starts itself: --local-model).
    llm_backend: str = "openai"
    log_level: str = "WARNING"
    # The council a new plan is written for (its exports' header and properties); each plan can change it.
    council: str = "The Council"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = dict(
            data_dir=Path(_env("ASSISTANT_DATA_DIR", ".assistant")),
            template=_env("ASSISTANT_TEMPLATE", DEFAULT_TEMPLATE),
            chroma_host=_env("CHROMA_HOST"),
            chroma_port=int(_env("CHROMA_PORT", "8000")),
            collection=_env("ASSISTANT_COLLECTION", "chunks"),
            embedder=_env("ASSISTANT_EMBEDDER", "minilm"),
            max_file_mb=int(_env("ASSISTANT_MAX_FILE_MB", "50")),
            drafter=_env("ASSISTANT_DRAFTER", "auto"),
            openai_model=_env("ASSISTANT_MODEL", "gpt-4o-mini"),
            llm_concurrency=int(_env("ASSISTANT_LLM_CONCURRENCY", "2")),
            llm_backend=_env("ASSISTANT_LLM_BACKEND", "openai"),
            log_level=_env("ASSISTANT_LOG_LEVEL", "WARNING"),
            council=_env("ASSISTANT_COUNCIL", "The Council"),
        )
        if _env("ASSISTANT_PROMPTS_DIR"):
            values["prompts_dir"] = Path(_env("ASSISTANT_PROMPTS_DIR"))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def llm_configured(self) -> bool:
        """True when the managed local model is chosen, or an OpenAI-compatible endpoint is configured in the environment."""
        return self.llm_backend == "local" or bool(_env("OPENAI_API_KEY") or _env("OPENAI_BASE_URL") or _env("AZURE_OPENAI_ENDPOINT"))
