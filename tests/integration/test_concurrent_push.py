"""QA_WORKERS=2 and concurrent pushes: one writer at a time, nothing lost, nothing corrupted.

Real processes (``python -m qa_service`` with two workers on one embedded store); pushes arrive
at once from several clients, so both workers write. Afterwards every document is stored, the
BM25 snapshot holds exactly the store's chunks and every article has its MinHash signature."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.adapters.signature_file import SignatureFile
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.container import build_lexical, build_store
from qa_service.ingestion.archive_dedup import NUM_PERM
from tests.conftest import REPO
from tests.integration.conftest import make_settings
from tests.integration.live_server import free_port
from tests.reliability.synthetic import _vocabulary, article_text

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="flock")]
CLIENTS, PUSHES, PER_PUSH = 4, 3, 4
KEY = "service-key"


def _batches() -> list[list[dict[str, str]]]:
    rng = random.Random(12)
    vocabulary = _vocabulary(rng, 3000)
    return [
        [
            {
                "doc_id": f"c{c}-p{p}-d{d}",
                "title": f"Story {c}.{p}.{d}",
                "text": article_text(rng, vocabulary),
            }
            for d in range(PER_PUSH)
        ]
        for c in range(CLIENTS)
        for p in range(PUSHES)
    ]


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("server did not start")


def test_concurrent_pushes_to_two_workers_lose_nothing(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "QA_HOST": "127.0.0.1",
        "QA_PORT": str(port),
        "QA_WORKERS": "2",
        "QA_EMBEDDER": "hashing",
        "QA_CHROMA_PATH": str(tmp_path / "chroma"),
        "QA_API_KEYS": KEY,
        "QA_RATE_LIMIT_PER_MINUTE": "100000",
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa_service"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(url, proc)
        headers = {"Authorization": f"Bearer {KEY}"}

        def push(batch: list[dict[str, str]]) -> list[str]:
            with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
                response = client.post("/v1/documents", json={"documents": batch})
                assert response.status_code == 200, response.text
                return [d["status"] for d in response.json()["documents"]]

        with ThreadPoolExecutor(CLIENTS * 2) as pool:
            statuses = [s for result in pool.map(push, _batches()) for s in result]
        assert statuses == ["created"] * (CLIENTS * PUSHES * PER_PUSH)
        listed = httpx.get(f"{url}/v1/documents", headers=headers, timeout=60).json()
        assert len(listed["documents"]) == CLIENTS * PUSHES * PER_PUSH
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    settings = make_settings(tmp_path / "chroma")
    store = build_store(settings, HashingEmbedder().model_id)
    chunk_ids = {c.chunk_id for c in store.all_chunks()}
    lexical: TantivyIndex = build_lexical(settings, store)
    assert lexical.chunk_ids() == chunk_ids
    signed = SignatureFile(settings.lexical_dir / "news-minhash.npz", NUM_PERM).load()
    assert set(signed) == set(store.article_hashes()) and len(signed) == len(statuses)
