"""Retrieval metrics on ranked hits, and the corpus dataset's labelled questions on the real retriever."""

from __future__ import annotations

from evals.data import PassageLabel, load_dataset
from evals.metrics.retrieval import QuestionRetrieval, RetrievalScores, evaluate, rank_labels

A = PassageLabel("a.pdf", "first answer")
B = PassageLabel("b.txt", "second answer")


def test_ranks_recall_and_mrr():
    hits = [("/x/c.md", "nothing"), ("/x/a.pdf", "the First  Answer here"), ("/x/z.txt", "x"), ("/x/b.txt", "second answer")]
    ranks, first = rank_labels(hits, [A, B])
    assert (ranks, first) == ([2, 4], 2)
    scores = RetrievalScores([1, 3, 5], [QuestionRetrieval("q1", "", 2, ranks, first),
                                         QuestionRetrieval("q2", "", 1, [None], None)])
    assert scores.recall_at(1) == 0.0
    assert scores.recall_at(3) == (0.5 + 0) / 2
    assert scores.recall_at(5) == (1.0 + 0) / 2
    assert scores.mrr == (1 / 2 + 0) / 2


def test_a_label_matches_only_its_own_document():
    assert not A.matches("/x/b.txt", "first answer")


def test_corpus_retrieval_questions_on_the_real_retriever(corpus_assistant):
    dataset = load_dataset("corpus", corpus_assistant.template)
    scores = evaluate(corpus_assistant.retriever, dataset.retrieval, [1, 5, 10])
    assert len(scores.questions) >= 25
    assert scores.recall_at(10) >= scores.recall_at(5) >= scores.recall_at(1)
    assert scores.recall_at(5) >= 0.8 and scores.mrr >= 0.7
