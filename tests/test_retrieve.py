"""Hybrid retrieval over the ingested sample corpus (real Chroma, real embedder, real BM25)."""

from __future__ import annotations

from assistant.records import Chunk
from assistant.retrieve import Hit, diversify, tokenize

# Questions that hinge on an exact term or figure, with a phrase of the passage that answers each.
EXACT_TERM_QUESTIONS = {
    "£212,000": "£212,000 of single person discounts",
    "single person discounts": "£212,000 of single person discounts",
    "1,900 officer hours": "1,900 officer hours",
    "market supplements": "market supplements of up to £5,000",
}


def _rank(hits, phrase):
    return next((i for i, h in enumerate(hits) if phrase in h.chunk.text), None)


def test_finds_the_known_passage_for_a_known_question(corpus_assistant):
    hits = corpus_assistant.retriever.search("How much did the council spend on consultants and agency staff?", k=5)
    rank = _rank(hits, "Spend on consultants was £385,000 in 2023/24")
    assert rank is not None and rank <= 1
    assert hits[rank].chunk.title == "Cabinet minutes 2024 06 18"


def test_hybrid_beats_dense_only_on_exact_terms(corpus_assistant):
    retriever = corpus_assistant.retriever
    dense_found = sum(_rank(retriever.search(q, k=5, mode="dense"), p) is not None for q, p in EXACT_TERM_QUESTIONS.items())
    hybrid_found = sum(_rank(retriever.search(q, k=5, mode="hybrid"), p) is not None for q, p in EXACT_TERM_QUESTIONS.items())
    assert hybrid_found == len(EXACT_TERM_QUESTIONS)
    assert hybrid_found > dense_found


def test_keyword_index_sees_new_chunks_after_ingest(assistant, tmp_path):
    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nThe Quillford bridge repair cost £77,000 in 2024.\n", encoding="utf-8")
    assistant.ingest([doc])
    assert _rank(assistant.retriever.search("Quillford", k=3, mode="keyword"), "Quillford") == 0
    doc2 = tmp_path / "note2.md"
    doc2.write_text("# Other\n\nThe Wexcombe depot roof was replaced in 2023.\n", encoding="utf-8")
    assistant.ingest([doc2])
    assert _rank(assistant.retriever.search("Wexcombe", k=3, mode="keyword"), "Wexcombe") == 0


def _hit(doc_id, n):
    chunk = Chunk(f"{doc_id}:{n}", doc_id, "text", "/s", "t", None, "", n, "h", "f")
    return Hit(chunk, 1.0 / (n + 1))


def test_one_long_document_cannot_crowd_out_the_rest():
    ranked = [_hit("long", i) for i in range(10)] + [_hit("short", 0), _hit("other", 0)]
    chosen = diversify(ranked, k=6)
    docs = [h.chunk.doc_id for h in chosen]
    assert "short" in docs and "other" in docs
    assert docs.count("long") == 4  # capped at first, then the slots left are filled by rank
    assert len(chosen) == 6


def test_tokenize_keeps_figures_whole():
    assert {"212,000", "2023/24", "13.5%", "1.9m"} <= set(tokenize("£212,000 in 2023/24, 13.5% and £1.9m"))
    assert "council" in tokenize("Councils") and "the" not in tokenize("the")


def test_a_document_set_limits_dense_keyword_and_hybrid_search(corpus_assistant):
    """The filter a plan's document set passes down: Chroma's where-clause on the dense side, a mask on BM25's."""
    retriever = corpus_assistant.retriever
    docs = {d.title: d.doc_id for d in corpus_assistant.sources()}
    question = "How much did the council spend on consultants and agency staff?"
    unlimited = retriever.search(question, k=5)
    best_doc = unlimited[0].chunk.doc_id
    others = set(docs.values()) - {best_doc}
    for mode in ("dense", "keyword", "hybrid"):
        hits = retriever.search(question, k=5, mode=mode, doc_ids=others)
        assert hits and {h.chunk.doc_id for h in hits} <= others, mode
        # Still the k best within the set, not fewer because the best documents were left out.
        assert len(hits) == 5, mode
    # An exact term found only in the excluded document is not found at all.
    assert _rank(retriever.search("£385,000", k=5, mode="keyword"), "£385,000") is not None
    assert _rank(retriever.search("£385,000", k=5, mode="keyword", doc_ids=others), "£385,000") is None
    assert retriever.search(question, k=5, doc_ids=[]) == []
    assert retriever.search(question, k=5, doc_ids=set(docs.values()))[0].chunk.id == unlimited[0].chunk.id
