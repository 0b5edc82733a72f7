# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
# Nothing at run time may reach the network; tiktoken, HF and Chroma are pointed at local files.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run serve ingest test lint eval bench reliability clean help

help:
	@echo "make run    - create .venv, install, ingest data/articles, serve on 127.0.0.1:8000"
	@echo "make test   - install dev deps and run the test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make eval   - golden-set evaluation gate (exit 1 on regression)"
	@echo "make bench  - benchmarks (prints ratios measured side by side)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

ingest: $(RUNTIME_STAMP)
	$(PY) -m ingest data/articles

run: ingest
	$(PY) -m qa_service

serve: $(RUNTIME_STAMP)
	$(PY) -m qa_service

# Tests run with proxies pointed at a dead local port, so any internet access fails loudly.
DEAD_PROXY := http://127.0.0.1:9
NO_NET := HTTP_PROXY=$(DEAD_PROXY) HTTPS_PROXY=$(DEAD_PROXY) http_proxy=$(DEAD_PROXY) \
	https_proxy=$(DEAD_PROXY) NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

test: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(NO_NET) $(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

eval: $(DEV_STAMP)
	$(PY) -m eval run

bench: $(DEV_STAMP)
	$(PY) bench/ingest.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
