"""The embedder's vector cache and its small-call path (speed changes of issue 7): same vectors, less work."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embed import SMALL_CALL, VectorCache, base_embedder


class CountingEncoder:
    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), ord(t[0]), 1.0] for t in texts], dtype=np.float32)


def test_cache_embeds_each_new_text_once_in_one_batch_and_keeps_order():
    cache, encode = VectorCache(), CountingEncoder()
    first = cache.embed(["alpha", "beta", "alpha"], encode, 3)
    assert encode.calls == [["alpha", "beta"]], "duplicates within a call are embedded once"
    again = cache.embed(["beta", "gamma", "alpha"], encode, 3)
    assert encode.calls[1] == ["gamma"], "only the text not seen before goes to the model"
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[0])
    np.testing.assert_array_equal(first[0], first[2])


def test_cache_is_bounded_and_returns_copies():
    cache, encode = VectorCache(max_items=2), CountingEncoder()
    out = cache.embed(["a1", "b22"], encode, 3)
    out[0][:] = 0  # a caller scribbling on its result must not change the cache
    cache.embed(["c333"], encode, 3)  # evicts the least recently used, "a1"
    assert len(cache) == 2
    assert cache.embed(["a1"], encode, 3)[0][0] == 2.0
    assert encode.calls[-1] == ["a1"]


def test_empty_call_needs_no_model():
    cache, encode = VectorCache(), CountingEncoder()
    assert cache.embed([], encode, 3).shape == (0, 3)
    assert encode.calls == []


def test_cached_and_small_call_vectors_equal_the_batch_vectors(corpus_assistant):
    torch = pytest.importorskip("torch")
    model = base_embedder(corpus_assistant.embedder)
    texts = [c.text for c in list(corpus_assistant.store.iter_chunks())[:6]] + ["How much was spent on agency staff?"]
    batch = model.encode(texts)  # above SMALL_CALL: all threads
    threads = torch.get_num_threads()
    singles = np.stack([model.encode([t])[0] for t in texts])  # the one-thread path
    assert torch.get_num_threads() == threads, "the thread setting is restored"
    assert np.min(np.sum(batch * singles, axis=1)) > 0.9999
    assert len(texts) > SMALL_CALL
    model.cache.clear()
    cached = model.embed_documents(texts)
    assert np.allclose(model.embed_documents(list(reversed(texts)))[::-1], cached)


def test_retrieved_passages_are_not_embedded_again(corpus_assistant, monkeypatch):
    """The store hands the vectors it holds for the passages it returns to the embedder's cache,
    so verification compares sentences with passages without running the model on them."""
    model = base_embedder(corpus_assistant.embedder)
    model.cache.clear()
    hits = corpus_assistant.retriever.search("What did the council spend on consultants?", k=5)

    def no_model(texts):
        raise AssertionError(f"the model was asked to embed {len(texts)} passage(s) the store already holds vectors for")

    monkeypatch.setattr(model, "encode", no_model)
    vectors = corpus_assistant.embedder.embed_documents([h.chunk.vector_text() for h in hits])  # as verify asks
    assert vectors.shape == (len(hits), model.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_threads_fit_the_cores_other_processes_leave_free(monkeypatch):
    torch = pytest.importorskip("torch")
    from assistant import embed

    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(embed.os, "cpu_count", lambda: 4)
    try:
        torch.set_num_threads(4)
        embed._fit_threads_to_free_cores(0.2)  # an idle machine keeps every thread
        assert torch.get_num_threads() == 4
        embed._fit_threads_to_free_cores(2.6)  # others hold about three cores: one is left
        assert torch.get_num_threads() == 1
        torch.set_num_threads(4)
        monkeypatch.setenv("OMP_NUM_THREADS", "4")  # the user's explicit choice stands
        embed._fit_threads_to_free_cores(3.0)
        assert torch.get_num_threads() == 4
        embed._fit_threads_to_free_cores(None)  # nothing measured: nothing changed
        assert torch.get_num_threads() == 4
    finally:
        torch.set_num_threads(before)


def test_other_processes_cpu_is_measured_without_our_own():
    import os
    import time

    from assistant.embed import OthersCpu

    with OthersCpu() as others:
        end = time.monotonic() + 0.6
        while time.monotonic() < end:  # our own busy work must not count as others'
            pass
    if others.cores is None:
        pytest.skip("no /proc/stat here")
    assert 0.0 <= others.cores <= (os.cpu_count() or 1)
