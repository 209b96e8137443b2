"""The eval data files: well formed, every label found in the documents, enough hard pairs for the judge."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from assistant.config import Settings
from assistant.templates import load_template
from evals.checks import METRICS, check_thresholds
from evals.data import DatasetError, document_chunks, find_passage, load_dataset, load_judge_pairs, unmatched_labels
from evals.run import THRESHOLDS


@pytest.fixture(scope="module")
def template():
    return load_template(Settings().prompts_dir, "productivity_plan")


def test_corpus_dataset_covers_every_template_question_with_its_designed_gaps(template):
    dataset = load_dataset("corpus", template)
    assert set(dataset.questions) == {q.id for t in template.themes for q in t.questions}
    assert {q for q, e in dataset.questions.items() if e.expect == "gap"} == {"t2_ai", "t3_edi", "t4_reporting"}
    labels = [label for r in dataset.retrieval for label in r.relevant]
    assert unmatched_labels(labels, document_chunks(dataset.documents)) == []


def test_seeds_dataset_loads_and_its_labels_match_when_the_seeds_are_present(template, seeds_dir):
    dataset = load_dataset("seeds", template)
    assert dataset.optional and dataset.available
    labels = [label for r in dataset.retrieval for label in r.relevant]
    assert unmatched_labels(labels, document_chunks(dataset.documents)) == []


def test_judge_pairs_are_enough_and_hard(template):
    pairs = load_judge_pairs()
    assert len(pairs) >= 60
    kinds = Counter(p.kind for p in pairs if not p.supported)
    assert min(kinds["other_figure"], kinds["other_year"], kinds["negated"]) >= 10
    assert 0.3 <= sum(p.supported for p in pairs) / len(pairs) <= 0.6
    assert sum(p.set == "heldout" for p in pairs) >= 30
    corpus = load_dataset("corpus", template).documents
    for pair in (p for p in pairs if p.dataset == "corpus"):
        assert find_passage(pair.label, document_chunks(corpus)) is not None, pair.id


def test_a_dataset_with_an_unknown_question_is_refused(tmp_path, template):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"documents": "corpus", "questions": {"t9_nope": {"expect": "gap"}}}))
    with pytest.raises(DatasetError, match="t9_nope"):
        load_dataset(bad, template)
    bad.write_text(yaml.safe_dump({"documents": "corpus", "questions": {"t1_change": {"expect": "answer"}}}))
    with pytest.raises(DatasetError, match="no key_points"):
        load_dataset(bad, template)


def test_thresholds_name_known_metrics_and_a_withheld_metric_fails():
    thresholds = yaml.safe_load(THRESHOLDS.read_text())
    for drafters in thresholds["datasets"].values():
        for limits in drafters.values():
            assert set(limits) <= set(METRICS)
    data = {"judged_metrics_trusted": False, "coverage": {"overall": 0.99, "themes": []}, "figures": {"fidelity": 1.0},
            "pages": {"rendered_pages": None, "renderer": "LibreOffice not installed", "within_budget": True}}
    result = {"judge": "offline", "judges": {"offline": {"accuracy": 0.5, "validated": False, "why_not": "accuracy 0.50 < 0.85"}},
              "drafter": "offline", "datasets": {"corpus": data}}
    limits = {"judge": {}, "datasets": {"corpus": {"offline": {"coverage": 0.5, "number_fidelity": 1.0, "rendered_pages": 4}}}}
    checks = {c["metric"]: c for c in check_thresholds(result, limits)}
    assert not checks["judge 'offline' validated"]["ok"]
    assert checks["coverage"]["value"] is None and not checks["coverage"]["ok"] and "not validated" in checks["coverage"]["note"]
    assert checks["number_fidelity"]["ok"]
    assert not checks["rendered_pages"]["ok"] and "LibreOffice" in checks["rendered_pages"]["note"]
