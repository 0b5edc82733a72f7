"""Run the image's and the compose services' commands here, as Docker would run them.

Container paths are mapped into a temp dir (``/data``, ``/shared``) or the repo (``/app``, the
image's WORKDIR), ``/opt/venv/bin`` to this venv, and the ``chroma`` service name to 127.0.0.1.
Servers listen on 127.0.0.1 and free ports instead of 0.0.0.0:8000.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import REPO
from tests.integration.chroma_server import stop_process
from tests.integration.deploy_files import Stage, container_command, healthcheck_command
from tests.integration.deploy_files import service_env as compose_env
from tests.integration.live_server import free_port

VENV_BIN = str(Path(sys.executable).parent)


def localize(value: str, tmp_path: Path) -> str:
    for container, here in (("/opt/venv/bin", VENV_BIN), ("/app", str(REPO))):
        value = value.replace(container, here)
    for mount in ("/data", "/shared"):
        if value == mount or value.startswith(mount + "/"):
            return str(tmp_path / mount.lstrip("/")) + value[len(mount) :]
    return value


def container_env(image_env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], str]:
    """This process's environment (minus QA_*) plus the image's ENV, localized; and the API URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    for key, value in image_env.items():
        env[key] = localize(value, tmp_path).replace("$PATH", os.environ.get("PATH", ""))
    port = free_port()
    env.update(QA_HOST="127.0.0.1", QA_PORT=str(port))
    return env, f"http://127.0.0.1:{port}"


@contextmanager
def spawn(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[Any]:
    """Start ``command`` in the repo (the image's WORKDIR); always terminate, then kill."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        stop_process(process)


def wait_healthy(
    probe: list[str], env: dict[str, str], process: Any, log_path: Path, timeout_s: float
) -> None:
    """Run the health-check command until it exits 0; fail with the server's log otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            log = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise AssertionError(f"{probe} never passed (exit {process.poll()}):\n{log}")
        result = subprocess.run(probe, env=env, cwd=REPO, check=False, timeout=30)
        if result.returncode == 0:
            return
        time.sleep(0.5)


def _chroma_command(command: list[str], tmp_path: Path, port: int) -> list[str]:
    flags = dict(zip(command[2::2], command[3::2], strict=True))
    flags.update({"--path": localize(flags["--path"], tmp_path), "--host": "127.0.0.1"})
    flags["--port"] = str(port)
    return command[:2] + [part for pair in flags.items() for part in pair]


def run_compose_stack(
    compose: dict[str, Any], stage: Stage, tmp_path: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """chroma, then ingest to completion, then the API; returns /readyz and one /v1/search body.

    The embedder is switched to ``hashing`` to keep this fast; the packaged model's start-up is
    covered by the image-command test.
    """
    services = compose["services"]
    chroma_port = free_port()
    base_env, url = container_env(stage.env(), tmp_path)

    def env_for(service: str) -> dict[str, str]:
        env = dict(base_env)
        for key, value in compose_env(services[service]).items():
            env[key] = localize(value, tmp_path).replace(
                "http://chroma:8000", f"http://127.0.0.1:{chroma_port}"
            )
        if "QA_EMBEDDER" in env:
            env["QA_EMBEDDER"] = "hashing"
        return env

    chroma = services["chroma"]
    chroma_probe = [p.replace(":8000/", f":{chroma_port}/") for p in chroma["healthcheck"]["test"]]
    chroma_env = env_for("chroma")
    command = _chroma_command(chroma["command"], tmp_path, chroma_port)
    with spawn(command, chroma_env, tmp_path / "chroma.log") as chroma_process:
        wait_healthy(chroma_probe[1:], chroma_env, chroma_process, tmp_path / "chroma.log", 60)
        ingest = subprocess.run(
            services["ingest"]["command"],
            env=env_for("ingest"),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        api = services["api"]
        assert api.get("command", container_command(stage)) == container_command(stage)
        _, probe = healthcheck_command(stage.args("HEALTHCHECK")[-1])
        api_env = env_for("api")
        with spawn(container_command(stage), api_env, tmp_path / "api.log") as api_process:
            wait_healthy(probe, api_env, api_process, tmp_path / "api.log", 120)
            status = httpx.get(f"{url}/readyz").json()
            search = httpx.post(f"{url}/v1/search", json={"query": "ceasefire talks"}).json()
    return status, search
