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

.PHONY: venv run test draft clean-data clean

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
	$(PY) -m pytest $(PYTEST_ARGS)

clean-data:
	rm -rf .assistant out

clean: clean-data
	rm -rf $(VENV)
