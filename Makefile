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

.PHONY: run serve ingest test lint eval multihop realtimeqa bench bench-scale bench-ray models load reliability clean help

help:
	@echo "make run    - create .venv, install, ingest data/articles, serve on 127.0.0.1:8000"
	@echo "make test   - install dev deps and run the test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make eval   - golden-set evaluation gate (exit 1 on regression)"
	@echo "make multihop - MultiHop-RAG sample benchmark, dense vs lexical vs hybrid"
	@echo "make realtimeqa - RealTimeQA dev (from ../shared/benchmarks), modes + naive baselines"
	@echo "make bench  - benchmarks (prints ratios measured side by side)"
	@echo "make bench-scale - 10k/100k-chunk scale benchmark (bench/scale.py, long first run)"
	@echo "make bench-ray - ingest chunks/s, single-process vs --executor ray (1, 2 workers)"
	@echo "make reliability - fuzzing, crash, fault, injection and security tests (tests/reliability)"
	@echo "make load   - 60 s x 50 clients on /v1/search and /v1/ask (bench/load.py)"

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
	$(NO_NET) $(PY) -m eval run

multihop: $(DEV_STAMP)
	$(NO_NET) $(PY) -m eval multihop --mode all

# Evaluation only: the set has no licence, it is read from ../shared and never copied here.
REALTIMEQA ?= ../shared/benchmarks/realtimeqa-dev
realtimeqa: $(DEV_STAMP)
	$(NO_NET) $(PY) -m eval realtimeqa --data $(REALTIMEQA) --mode all --naive

bench: $(DEV_STAMP)
	$(PY) -m bench.ingest
	$(NO_NET) $(PY) -m bench.ask --requests 40
	$(NO_NET) $(PY) -m bench.embedders --runs 5
	$(NO_NET) $(PY) -m bench.vs_llamaindex --runs 3

# 10k + 100k chunks; the first run builds the corpora under var/bench-scale (the 100k one takes
# ~15 min on the shared 2-core machine), later runs reuse them. Results in docs/benchmarks.md.
bench-scale: $(DEV_STAMP)
	$(NO_NET) $(PY) -m bench.scale

# ~12 min on 2 cores: 3 runs each of the plain job and Ray with 1 and 2 workers (docs/benchmarks.md)
bench-ray: $(DEV_STAMP)
	$(NO_NET) $(PY) -m bench.ray_ingest --articles 600 --runs 3

# Pre-build the locally derived embedders (QA_EMBEDDER=onnx-int8 / model2vec) into var/models.
models: $(DEV_STAMP)
	$(NO_NET) $(PY) -m qa_service.model_build.derived_models

# Also part of `make test` (pytest's testpaths is tests/); this runs only the reliability suite.
reliability: $(DEV_STAMP)
	$(NO_NET) $(PY) -m pytest tests/reliability

# A benchmark, not a test: two minutes of load on loopback; results in docs/benchmarks.md.
load: $(DEV_STAMP)
	$(NO_NET) $(PY) -m bench.load

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
