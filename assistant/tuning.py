"""Tuning as data: the thresholds and weights of drafting and verification, one YAML file per embedder.

They live in prompts/tuning/<embedder>.yaml, each with the run it was calibrated on, because
they are measurements, not design: similarities from a different embedder sit on another scale,
and `make calibrate` (evals/calibrate.py) fits them on real councils' documents with councils
held out in turn. Nothing else in the package hard-codes them.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.config import PROJECT_ROOT

log = logging.getLogger(__name__)
DEFAULT_EMBEDDER = "minilm"


class TuningError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RelevanceWeights(_Strict):
    sentence: float = Field(ge=0)  # candidate sentence vs the question
    passage: float = Field(ge=0)  # the sentence's passage (with title and heading) vs the question
    keywords: float = Field(ge=0)  # share of the question's key terms the sentence holds
    query: float = Field(default=0.0, ge=0)  # candidate sentence vs the question with its key terms (as retrieval asks it)
    example: float = Field(default=0.0, ge=0)  # candidate sentence vs the closest of the question's example answers


class Drafting(_Strict):
    # Retrieval for drafting: passages per guidance question, and the most one theme's evidence holds.
    passages_per_question: int = Field(default=5, gt=0)
    max_evidence_per_theme: int = Field(default=16, gt=0)
    # For a question with subject terms (template `subject`), retrieve this many times passages_per_question and
    # keep first the passages that name the subject: the others hold no sentence that can answer it. 1: off.
    subject_pool: int = Field(default=1, ge=1)
    weights: RelevanceWeights
    relevance_threshold: float
    # Per guidance question, where it differs from relevance_threshold: questions differ in how close
    # an answer's wording comes to theirs ("which reporting burdens..." is met by any governance text;
    # "what do you spend on..." only by a figure), so each is calibrated on its own labelled councils,
    # pulled towards the global value (evals/calibrate.py). A question not listed uses the global value.
    question_thresholds: dict[str, float] = Field(default_factory=dict)
    max_per_question: int = Field(gt=0)
    redundancy_jaccard: float = Field(gt=0, le=1)
    # A sentence answering questions of two sections goes to the one it answers by the widest margin over the
    # threshold; a question that would be left with no answer takes it back when the other keeps another answer and
    # the sentence answers it with at least this share of its margin there (assess.sentence_homes). 0: never.
    homes_by_need_share: float = Field(default=0.0, ge=0)
    # Which guidance questions the LLM drafter sends to the model: "with_evidence", every question with
    # candidate sentences, the ones the relevance check gated flagged as such in the prompt and the model's
    # answer kept only if it clears the question's threshold itself; "answered", only those the relevance
    # check found answered (the old gate). A measurement per model, not a design choice (docs/evals.md).
    llm_asks: Literal["with_evidence", "answered"] = "with_evidence"
    # Added to a gated question's threshold for a model's answer to it (draft/llm.py): a model's sentences restate the
    # question and score higher than a source sentence that answers it as well. Calibrated on a model's answers
    # (evals/calibrate_model.py); 0 holds them to the source sentences' threshold.
    gated_answer_margin: float = 0.0

    def threshold_for(self, question_id: str) -> float:
        return self.question_thresholds.get(question_id, self.relevance_threshold)


class Verification(_Strict):
    weak_support: float = Field(gt=0, lt=1)


class Tuning(_Strict):
    embedder: str
    drafting: Drafting
    verification: Verification
    # Per value: the run it was calibrated on (and its scores), for a reader deciding whether to trust it.
    calibration: dict[str, dict] = Field(default_factory=dict)
    path: Path | None = None

    def with_drafting(self, **changes) -> "Tuning":
        """A copy with some drafting values changed (calibration tries candidates this way)."""
        return self.model_copy(update={"drafting": self.drafting.model_copy(update=changes)})


def tuning_dir(prompts_dir: Path | None = None) -> Path:
    return (prompts_dir or PROJECT_ROOT / "prompts") / "tuning"


def embedder_key(embedder: str) -> str:
    """'minilm' -> 'minilm'; 'openai:text-embedding-3-small' -> 'openai_text-embedding-3-small'."""
    return embedder.replace(":", "_").replace("/", "_")


@lru_cache(maxsize=8)
def load_tuning(embedder: str = DEFAULT_EMBEDDER, prompts_dir: Path | None = None) -> Tuning:
    """The tuning for an embedder; one not calibrated yet borrows the default's values, with a warning."""
    key = embedder_key(embedder)
    # A prompts folder of the user's own may hold no tuning; the project's then applies.
    folders = list(dict.fromkeys([tuning_dir(prompts_dir), tuning_dir()]))
    exact = [f / f"{key}.yaml" for f in folders if (f / f"{key}.yaml").exists()]
    if exact:
        path = exact[0]
    else:
        path = next((f / f"{DEFAULT_EMBEDDER}.yaml" for f in folders if (f / f"{DEFAULT_EMBEDDER}.yaml").exists()),
                    folders[0] / f"{DEFAULT_EMBEDDER}.yaml")
        log.warning("no tuning for embedder '%s' in %s: using %s, calibrated for another embedder; "
                    "run `make calibrate` with ASSISTANT_EMBEDDER=%s", embedder, folders[0], path, embedder)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Tuning.model_validate({**data, "path": path})
    except OSError as exc:
        raise TuningError(f"cannot read the tuning file {path}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise TuningError(f"{path}: {exc}") from exc
