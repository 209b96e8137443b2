"""make calibrate: fitting the relevance threshold with councils held out, and the margins of the shipped tuning."""

from __future__ import annotations


from assistant.tuning import load_tuning
from evals.calibrate import Row, council_rows, fit, leave_one_council_out, outcomes


def _row(council, qid, expect, best, labelled=True):
    return Row(council, qid, expect, ["a.txt"], [(best, 0.0, 0.0, "a.txt" if labelled else "b.txt", ""), (best - 0.2, 0.0, 0.0, "b.txt", "")])


def test_the_threshold_lands_in_the_middle_of_the_gap_between_classes():
    rows = [_row(c, f"q{i}", "answer", 0.6 + 0.01 * i) for c in ("x", "y") for i in range(5)]
    rows += [_row(c, f"g{i}", "gap", 0.3 + 0.01 * i) for c in ("x", "y") for i in range(3)]
    tuned, score = fit(rows)
    assert score == 1.0
    assert 0.4 < tuned.threshold < 0.55  # not hugging either class: the widest margin
    counts = outcomes(rows, tuned.weights, tuned.threshold)
    assert counts["false_gaps"] == 0 and counts["true_gaps"] == 6 and counts["answered_right"] == 10


def test_an_answer_from_the_wrong_file_is_not_answered_right():
    rows = [_row("x", "q", "answer", 0.7, labelled=False)]
    assert outcomes(rows, (1.0, 0.0, 0.0, 0.0), 0.5)["answered_right"] == 0


def test_leave_one_council_out_scores_each_council_on_a_fit_without_it():
    rows = [_row(c, f"q{i}", "answer", 0.6) for c in ("x", "y", "z") for i in range(3)]
    rows += [_row(c, "g", "gap", 0.3) for c in ("x", "y", "z")]
    loco = leave_one_council_out(rows)
    assert set(loco["councils"]) == {"x", "y", "z"}
    assert loco["pooled"]["answerable"] == 9 and loco["false_gap_share"] == 0.0 and loco["true_gaps_share"] == 1.0


def test_the_shipped_threshold_has_margins_on_real_councils(realworld_councils):
    """Moving the shipped threshold a little either way must not change the picture: if it does, the value
    sits on a cliff of the real data and `make calibrate` must be run again."""
    rows = [row for council, assistant in realworld_councils.values() for row in council_rows(assistant, council)]
    tuning = load_tuning()
    w = tuning.drafting.weights
    weights = (w.sentence, w.passage, w.keywords, w.query)
    shipped = outcomes(rows, weights, tuning.drafting.relevance_threshold)
    for delta in (-0.02, 0.02):
        moved = outcomes(rows, weights, tuning.drafting.relevance_threshold + delta)
        for key in ("answered_right", "false_gaps", "true_gaps"):
            assert abs(moved[key] - shipped[key]) <= 8, (delta, key, shipped, moved)
    # And it is no worse than what calibration would fit on the same data now (the file is not stale).
    tuned, _ = fit(rows)
    best = outcomes(rows, tuned.weights, tuned.threshold)
    assert shipped["answered_right"] + shipped["true_gaps"] >= best["answered_right"] + best["true_gaps"] - 3
