"""``python -m ingest --executor ray --ray-address HOST:PORT`` joins a running cluster (a
``ray start --head`` process of its own, 2 CPUs) from a separate CLI process with the dead proxy
of CI in its environment, and writes the single-process store."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import build_store
from tests.conftest import SEED_DIR
from tests.integration.conftest import make_settings
from tests.integration.live_server import free_port
from tests.integration.ray_driver_cases import local_run
from tests.integration.store_snapshot import snapshot

pytestmark = pytest.mark.slow

RAY_BIN = Path(sys.executable).parent / "ray"
START_TIMEOUT_S = 90.0


@pytest.fixture(scope="module")
def cluster_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Token auth (ray start's default) with the cluster's own token, shared by the head and the
    CLI that joins it. Ray reads ``~/.ray/auth_token`` when no path is given, which a fresh
    machine does not have: ``ray start`` then refuses to come up (seen in a clean CI run)."""
    token = tmp_path_factory.mktemp("ray-auth") / "auth_token"
    token.write_text(secrets.token_hex(32))
    env = dict(os.environ)
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="token", RAY_AUTH_TOKEN_PATH=str(token))
    return env


@pytest.fixture(scope="module")
def ray_head(
    tmp_path_factory: pytest.TempPathFactory, cluster_env: dict[str, str]
) -> Iterator[str]:
    """A 2-CPU Ray head in its own process group, stopped (SIGTERM) after the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("ray-head") / "head.log"
    ports = {
        "--port": port,
        "--ray-client-server-port": free_port(),
        "--dashboard-agent-listen-port": free_port(),
        "--dashboard-agent-grpc-port": free_port(),
        "--runtime-env-agent-port": free_port(),
        "--metrics-export-port": free_port(),
    }
    command = [str(RAY_BIN), "start", "--head", "--block", "--node-ip-address", "127.0.0.1"]
    command += ["--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats"]
    command += [str(arg) for pair in ports.items() for arg in pair]
    with log.open("w") as out:
        head = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=cluster_env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "block forever" not in log.read_text(errors="replace"):
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start --head did not come up:\n{log.read_text()}")
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)  # ray start --block stops the processes it started
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)  # its own session: only what this test started


def test_cli_joins_a_running_cluster_and_writes_the_local_store(
    tmp_path: Path, ray_head: str, cluster_env: dict[str, str]
) -> None:
    _, local_store = local_run(make_settings(tmp_path / "local"), HashingEmbedder(), SEED_DIR)
    store_dir = tmp_path / "cluster"
    command = [sys.executable, "-m", "ingest", str(SEED_DIR), "--store", str(store_dir)]
    command += ["--executor", "ray", "--ray-address", ray_head, "--quiet"]
    env = cluster_env | {"QA_EMBEDDER": "hashing"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    assert f":{ray_head.rsplit(':', 1)[1]}: 2 embed workers" in done.stderr  # that cluster
    assert "stage embed + write chunks" in done.stdout
    settings = make_settings(store_dir)
    stored = snapshot(settings, build_store(settings, HashingEmbedder().model_id))
    stored.assert_same_as(local_store, atol=0.0)
