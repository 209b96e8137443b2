"""make calibrate: fitting the relevance threshold with councils held out, and the margins of the shipped tuning."""

from __future__ import annotations


from assistant.tuning import load_tuning
from evals.calibrate import (DEFAULT_GRID, GRIDS, Grid, Row, council_rows, fit, leave_one_council_out, outcomes, select_grid, taken,
                             tuned_outcomes)

# These rows have a sentence similarity only: fit them on a grid that keeps its weight, and so the scale, at 1.
SENTENCE_SCALE = Grid("sentence similarity", sentence=(1.0,), passage=(0.0,), keywords=(0.0,), query=(0.0,), example=(0.0,))


def _row(council, qid, expect, best, labelled=True):
    return Row(council, qid, expect, ["a.txt"], [(best, 0.0, 0.0, "a.txt" if labelled else "b.txt", ""), (best - 0.2, 0.0, 0.0, "b.txt", "")])


def test_the_threshold_lands_in_the_middle_of_the_gap_between_classes():
    rows = [_row(c, f"q{i}", "answer", 0.6 + 0.01 * i) for c in ("x", "y") for i in range(5)]
    rows += [_row(c, f"g{i}", "gap", 0.3 + 0.01 * i) for c in ("x", "y") for i in range(3)]
    tuned, score = fit(rows, grid=SENTENCE_SCALE)
    assert score == 1.0
    assert 0.4 < tuned.threshold < 0.55  # not hugging either class: the widest margin
    counts = outcomes(rows, tuned.weights, tuned.threshold)
    assert counts["false_gaps"] == 0 and counts["true_gaps"] == 6 and counts["answered_right"] == 10


def test_the_threshold_does_not_squeeze_between_two_scores_for_one_more_question():
    """One more question right by a threshold wedged between scores 0.008 apart is not worth losing the margin: the
    next council's scores move by more than that (hard counts chose such thresholds, and flipped between them)."""
    rows = [_row(c, f"q{i}", "answer", 0.6 + 0.01 * i) for c in ("x", "y") for i in range(1, 6)]
    rows += [_row(c, f"g{i}", "gap", 0.3 + 0.01 * i) for c in ("x", "y") for i in range(3)]
    rows += [_row("x", "low", "answer", 0.600), _row("x", "near", "gap", 0.601), _row("y", "near", "gap", 0.602)]
    # Hard counts: 18 of 19 right with a threshold in (0.602, 0.61], 17 below 0.6.
    assert sum(outcomes(rows, (1.0,), 0.606)[k] for k in ("answered_right", "true_gaps")) == 18
    tuned, _ = fit(rows, grid=SENTENCE_SCALE)
    assert tuned.threshold < 0.59  # clear of every answer: all eleven answered, the two "near" gaps given up
    assert outcomes(rows, tuned.weights, tuned.threshold)["answered_right"] == 11


def test_an_answer_from_the_wrong_file_is_not_answered_right():
    rows = [_row("x", "q", "answer", 0.7, labelled=False)]
    assert outcomes(rows, (1.0, 0.0, 0.0, 0.0), 0.5)["answered_right"] == 0


def test_a_candidate_not_naming_the_subject_is_judged_as_drafting_judges_it():
    """Features carry whether a candidate names its question's subject; one that does not cannot answer, however it
    scores, so a fit sees the question as drafting will. Features saved before that field count every candidate."""
    named = (0.7, 0.0, 0.0, "a.txt", "", 0.0, 0, 0.0, True)
    unnamed = (0.9, 0.0, 0.0, "b.txt", "", 0.0, 0, 0.0, False)
    answer = Row("x", "q", "answer", ["a.txt"], [unnamed, named])
    gap = Row("x", "g", "gap", ["a.txt"], [unnamed])
    counts = outcomes([answer, gap], (1.0,), 0.8)
    assert counts["false_gaps"] == 1 and counts["true_gaps"] == 1  # 0.9 does not count; 0.7 < 0.8
    counts = outcomes([answer, gap], (1.0,), 0.6)
    assert counts["answered_right"] == 1 and counts["true_gaps"] == 1  # the named one from the labelled file answers
    legacy = Row("x", "g", "gap", ["a.txt"], [unnamed[:8]])
    assert outcomes([legacy], (1.0,), 0.8)["true_gaps"] == 0


def test_a_candidate_repeating_one_taken_is_skipped_as_the_drafter_skips_it():
    """The drafter takes a question's best candidates but skips one that repeats a sentence already taken; a fit that
    counted the repeat would think a labelled answer further down was never reached (Havering's plans question)."""
    short = (0.9, 0.0, 0.0, "news.txt", "The new Corporate Plan sets out how the Council will deliver services.")
    longer = (0.85, 0.0, 0.0, "news.txt", "The new Corporate Plan sets out how the Council will deliver services. "
                                          "Supporting this, a new operating model moves services online.")
    others = [(0.8 - 0.1 * i, 0.0, 0.0, "news.txt", f"Sentence {i} about {topic} and nothing else.")
              for i, topic in enumerate(["waste collection", "parking permits"])]
    labelled = (0.5, 0.0, 0.0, "plan.txt", "The Improvement Plan measures progress against twelve targets each quarter.")
    scored = [(c[0], c) for c in [short, longer, *others, labelled]]
    assert [c for _, c in taken(scored)] == [short, *others, labelled]
    row = Row("x", "q", "answer", ["plan.txt"], [c for _, c in scored])
    assert outcomes([row], (1.0,), 0.4)["answered_right"] == 1


def test_leave_one_council_out_scores_each_council_on_a_fit_without_it():
    rows = [_row(c, f"q{i}", "answer", 0.6) for c in ("x", "y", "z") for i in range(3)]
    rows += [_row(c, "g", "gap", 0.3) for c in ("x", "y", "z")]
    loco = leave_one_council_out(rows, grid=SENTENCE_SCALE)
    assert set(loco["councils"]) == {"x", "y", "z"}
    assert loco["pooled"]["answerable"] == 9 and loco["false_gap_share"] == 0.0 and loco["true_gaps_share"] == 1.0


def test_a_question_gets_its_own_threshold_only_when_its_councils_agree():
    councils = [f"c{i}" for i in range(6)]
    rows = [_row(c, f"q{i}", "answer", 0.6 + 0.01 * i) for c in councils for i in range(4)]
    rows += [_row(c, "g", "gap", 0.3) for c in councils]
    # "burdens": every council's best sentence is general governance text, closer than most real answers.
    rows += [_row(c, "burdens", "gap", 0.7 + 0.01 * i) for i, c in enumerate(councils)]
    # "mixed": one council of six disagrees with the rest: not enough to move it.
    rows += [_row(c, "mixed", "gap" if c == "c0" else "answer", 0.62) for c in councils]
    one, _ = fit(rows, grid=SENTENCE_SCALE)
    own, _ = fit(rows, per_question=True, grid=SENTENCE_SCALE)
    assert "mixed" not in own.questions and "q0" not in own.questions
    assert own.questions["burdens"] > 0.75 > one.threshold  # above every council's best, so all six stay gaps
    assert tuned_outcomes(rows, own)["true_gaps"] == 12 > outcomes(rows, one.weights, one.threshold)["true_gaps"]


def test_per_question_thresholds_are_fitted_without_the_held_out_council():
    """A question answered in five councils and a gap in the sixth: held out, the sixth cannot be right
    (its label is not in the fit), which is what an honest estimate must show."""
    councils = [f"c{i}" for i in range(6)]
    rows = [_row(c, "q", "answer", 0.6) for c in councils for _ in range(3)]
    rows += [_row(c, "odd", "gap" if c == "c5" else "answer", 0.5) for c in councils]
    rows += [_row(c, "g", "gap", 0.3) for c in councils]
    held = leave_one_council_out(rows, grid=SENTENCE_SCALE)["councils"]["c5"]
    assert held["true_gaps"] == 1 + 0  # "g" kept; "odd" answered, since the other five say it is answerable
    assert held["gaps"] == 2


def test_the_shipped_threshold_has_margins_on_real_councils(realworld_councils):
    """Moving the shipped threshold a little either way must not change the picture: if it does, the value
    sits on a cliff of the real data and `make calibrate` must be run again."""
    rows = [row for council, assistant in realworld_councils.values() for row in council_rows(assistant, council)]
    drafting = load_tuning().drafting
    w = drafting.weights
    weights = (w.sentence, w.passage, w.keywords, w.query, w.example)

    def judged(delta: float) -> dict:  # every threshold, the global one and each question's own, moved by delta
        own = {q: v + delta for q, v in drafting.question_thresholds.items()}
        return outcomes(rows, weights, drafting.relevance_threshold + delta, own)

    shipped = judged(0.0)
    for delta in (-0.02, 0.02):
        moved = judged(delta)
        for key in ("answered_right", "false_gaps", "true_gaps"):
            assert abs(moved[key] - shipped[key]) <= 8, (delta, key, shipped, moved)
    # And it is no worse than what calibration would fit on the same data now (the file is not stale).
    tuned, _ = fit(rows, per_question=True, grid=DEFAULT_GRID)
    best = tuned_outcomes(rows, tuned)
    assert shipped["answered_right"] + shipped["true_gaps"] >= best["answered_right"] + best["true_gaps"] - 3


def _featured(council, qid, expect, sentence, keywords, example):
    """A row whose one candidate (from the labelled file) has these features."""
    return Row(council, qid, expect, ["a.txt"], [(sentence, 0.0, keywords, "a.txt", "", 0.0, 0, example)])


def test_the_features_are_chosen_on_held_out_councils():
    """Which features to use is decided by held-out councils, and the held-out estimate chooses them without the
    council it scores. Here the example-answer similarity separates answers from gaps in every council, and the
    key-term share is noise, so a family that can use examples must win and score every council right. Each question
    is answered in some councils and a gap in others (as on real councils), so its own threshold cannot tell them apart."""
    rows = []
    for i, council in enumerate(f"c{n}" for n in range(7)):
        for q in range(5):
            answer = (q + i) % 5 < 3
            rows.append(_featured(council, f"q{q}", "answer" if answer else "gap", 0.5, (q + i + answer) % 2, 0.8 if answer else 0.3))

    def held_out(grid):
        pooled = leave_one_council_out(rows, grid=grid)["pooled"]
        return pooled["answered_right"] + pooled["true_gaps"]

    chosen = select_grid(rows)
    assert held_out(chosen) == max(held_out(g) for g in GRIDS) == 35
    assert chosen.example != (0.0,) and held_out(next(g for g in GRIDS if g.example == (0.0,))) < 35
    nested = leave_one_council_out(rows, grid=None)
    assert {c["grid"] for c in nested["councils"].values()} <= {g.name for g in GRIDS}
    assert nested["pooled"]["answered_right"] == 21 and nested["pooled"]["true_gaps"] == 14


def test_of_two_peaks_about_as_high_the_lower_threshold_is_taken_at_its_top():
    """A flat objective with two modes (each true gap a higher threshold keeps costs an answer): the lower threshold's
    peak is taken when it is within a question of the best (a false gap hides an answer; a padded gap is visible and
    cited), and a peak's top, not a point on its slope."""
    import numpy as np

    from evals.calibrate import _lowest_near_best_peak

    values = np.array([70.0, 71.5, 72.0, 71.8, 71.0, 71.9, 72.4, 72.1, 69.0])
    assert _lowest_near_best_peak(values, 1.0) == 2
    assert _lowest_near_best_peak(values, 0.2) == 6
