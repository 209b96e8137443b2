"""Tuning as data: one strictly validated file per embedder, each value with the run it was calibrated on."""

from __future__ import annotations

import logging
import shutil

import pytest

from assistant.tuning import TuningError, load_tuning, tuning_dir


def test_the_bundled_embedder_has_a_calibrated_tuning():
    tuning = load_tuning("minilm")
    assert tuning.embedder == "minilm"
    assert 0 < tuning.drafting.relevance_threshold < 1.5 and 0 < tuning.verification.weak_support < 1
    for key in ("relevance_threshold", "question_thresholds", "weights", "weak_support"):
        assert tuning.calibration[key]["run"], key


def test_a_question_without_its_own_threshold_uses_the_global_one():
    drafting = load_tuning("minilm").drafting
    assert drafting.threshold_for("no_such_question") == drafting.relevance_threshold
    w = drafting.weights
    reachable = w.sentence + w.passage + w.keywords + w.query + w.example  # every similarity at 1: the top score
    for qid, value in drafting.question_thresholds.items():
        assert drafting.threshold_for(qid) == value and 0 < value < reachable


def test_an_uncalibrated_embedder_borrows_the_default_and_says_so(caplog):
    with caplog.at_level(logging.WARNING):
        tuning = load_tuning("openai:text-embedding-3-small")
    assert tuning.embedder == "minilm"
    assert "make calibrate" in caplog.text and "text-embedding-3-small" in caplog.text


def test_a_misspelt_key_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "tuning").mkdir()
    text = (tuning_dir() / "minilm.yaml").read_text(encoding="utf-8").replace("relevance_threshold:", "relevance_treshold:")
    (tmp_path / "tuning" / "minilm.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(TuningError, match="minilm.yaml"):
        load_tuning("minilm", tmp_path)


def test_a_prompts_folder_without_tuning_uses_the_projects(tmp_path):
    shutil.copytree(tuning_dir().parent / "templates", tmp_path / "templates")
    assert load_tuning("minilm", tmp_path).path == tuning_dir() / "minilm.yaml"


def test_which_questions_the_llm_drafter_asks_is_tuning_and_checked(tmp_path):
    assert load_tuning("minilm").drafting.llm_asks == "with_evidence"
    (tmp_path / "tuning").mkdir()
    text = (tuning_dir() / "minilm.yaml").read_text(encoding="utf-8")
    (tmp_path / "tuning" / "minilm.yaml").write_text(text.replace("llm_asks: with_evidence", "llm_asks: everything"), encoding="utf-8")
    with pytest.raises(TuningError, match="llm_asks"):
        load_tuning("minilm", tmp_path)
