"""Dockerfile, .dockerignore and docker-compose.yml, checked without a Docker engine.

Static: hadolint, the compose-spec JSON schema, the service wiring, and that every ``QA_*``
variable is a real setting documented in the README. Dynamic: the image's CMD and HEALTHCHECK and
the compose services' commands run here as subprocesses with the environment they would get.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from qa_service.settings import Settings
from tests.conftest import REPO
from tests.integration.deploy_files import (
    COMPOSE_FILE,
    DOCKERFILE,
    container_command,
    dockerignore_patterns,
    healthcheck_command,
    interpolated_names,
    is_ignored,
    load_compose,
    parse_dockerfile,
    readme_config_variables,
    runtime_stage,
    service_env,
)

BIN = Path(sys.executable).parent
SETTING_VARS = {f"QA_{name.upper()}" for name in Settings.model_fields}


def hadolint(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Lint with an empty config so only inline ``# hadolint ignore=`` pragmas can silence rules."""
    config = tmp_path / "hadolint.yaml"
    config.write_text("{}\n")
    command = [str(BIN / "hadolint"), "--config", str(config), "--format", "json"]
    command += ["--failure-threshold", "warning", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_dockerfile_passes_hadolint_at_warning_level(tmp_path: Path) -> None:
    result = hadolint(DOCKERFILE, tmp_path)
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert result.returncode == 0 and not serious, json.dumps(findings, indent=1)


def test_hadolint_invocation_does_catch_warnings(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUN pip install requests\nCMD python app.py\n")
    result = hadolint(bad, tmp_path)
    assert result.returncode != 0
    assert {f["code"] for f in json.loads(result.stdout)} >= {"DL3013", "DL3042", "DL3025"}


def test_hadolint_ignores_are_inline_and_justified() -> None:
    assert not list(REPO.glob(".hadolint.y*ml")), "ignores belong inline, next to their reason"
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore=" in line:
            previous = lines[number - 1].strip() if number else ""
            assert previous.startswith("#") and len(previous) > 10, f"unjustified: {line!r}"


def test_dockerfile_builds_on_slim_installs_cpu_torch_and_runs_offline_as_non_root() -> None:
    stages = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    assert [s.base for s in stages] == ["python:3.11-slim", "python:3.11-slim"]
    builder, runtime = stages
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pin = next(d for d in dependencies if d.startswith("torch==")).removeprefix("torch==")
    torch_runs = [r for r in builder.args("RUN") if "torch==" in r]
    assert len(torch_runs) == 1 and f"torch=={pin} " in torch_runs[0] + " "
    assert "--index-url https://download.pytorch.org/whl/cpu" in torch_runs[0]
    assert any(f"--from={builder.name} /opt/venv" in c for c in runtime.args("COPY"))
    env = runtime.env()
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "QA_HOST": "0.0.0.0",
    }.items():
        assert env.get(key) == value, key
    user = runtime.args("USER")[-1].split(":")[0]
    assert user not in ("root", "0")
    assert runtime.args("EXPOSE") == [env["QA_PORT"]]
    assert container_command(runtime) == ["python", "-m", "qa_service"]
    options, probe = healthcheck_command(runtime.args("HEALTHCHECK")[-1])
    assert probe[0] == "python" and "curl" not in probe and "start-period" in options


def test_every_copied_path_exists_and_is_in_the_build_context() -> None:
    patterns = dockerignore_patterns()
    for stage in parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8")):
        for args in stage.args("COPY"):
            if args.startswith("--from="):
                continue
            *sources, _dest = args.split()
            for source in sources:
                assert (REPO / source).exists(), source
                assert not is_ignored(source, patterns), f"{source} is excluded by .dockerignore"
    for heavy in (".venv", ".git", "var", "tests"):
        assert is_ignored(heavy, patterns), heavy


def test_compose_file_matches_the_compose_spec_schema() -> None:
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec"]
    result = subprocess.run(
        [*command, str(COMPOSE_FILE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_wires_chroma_ingest_and_api() -> None:
    compose = load_compose()
    services = {k: v for k, v in compose["services"].items() if not v.get("profiles")}
    assert set(services) == {"chroma", "ingest", "api"}
    assert len({s["image"] for s in services.values()}) == 1, "one image for all three"
    chroma, ingest, api = services["chroma"], services["ingest"], services["api"]

    command = chroma["command"]
    assert command[:2] == ["chroma", "run"]
    flags = dict(zip(command[2::2], command[3::2], strict=True))
    assert flags["--host"] == "0.0.0.0"
    assert any(v.split(":")[1] == flags["--path"] for v in chroma["volumes"])
    assert f"127.0.0.1:{flags['--port']}/api/v2/heartbeat" in " ".join(
        chroma["healthcheck"]["test"]
    )

    assert ingest["command"][:4] == ["python", "-m", "ingest", "data/articles"]
    assert ingest["restart"] == "no" and ingest["healthcheck"] == {"disable": True}
    assert ingest["depends_on"] == {"chroma": {"condition": "service_healthy"}}
    assert api["depends_on"] == {
        "chroma": {"condition": "service_healthy"},
        "ingest": {"condition": "service_completed_successfully"},
    }

    ingest_env, api_env = service_env(ingest), service_env(api)
    assert api_env["QA_CHROMA_URL"] == f"http://chroma:{flags['--port']}"
    for key in ("QA_CHROMA_URL", "QA_LEXICAL_PATH", "QA_COLLECTION_PREFIX", "QA_EMBEDDER"):
        assert ingest_env[key] == api_env[key], f"{key} differs: the API would miss the corpus"
    volumes = {
        service: {v.split(":")[1]: v.split(":")[0] for v in services[service]["volumes"]}
        for service in ("ingest", "api")
    }
    lexical = api_env["QA_LEXICAL_PATH"]
    mount = next(m for m in volumes["api"] if lexical.startswith(m + "/"))
    assert volumes["api"][mount] == volumes["ingest"][mount] in compose["volumes"]
    port = runtime_stage().env()["QA_PORT"]
    assert any(p.endswith(f":{port}") for p in api["ports"])


def test_optional_proxy_fronts_the_api_with_client_timeouts() -> None:
    """Issue 17: the recommended front (nginx) times out slow clients before Python sees them."""
    proxy = load_compose()["services"]["proxy"]
    assert proxy["profiles"] == ["proxy"]  # not started by a plain `docker compose up`
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    [mount] = proxy["volumes"]
    config = (COMPOSE_FILE.parent / mount.split(":")[0]).read_text(encoding="utf-8")
    seconds = dict(re.findall(r"^\s*(client_\w+_timeout)\s+(\d+)s;", config, re.MULTILINE))
    assert seconds and all(0 < int(v) <= 30 for v in seconds.values()), seconds
    assert {"client_header_timeout", "client_body_timeout"} <= set(seconds)
    assert "proxy_pass http://api;" in config and "$proxy_add_x_forwarded_for" in config
    assert "client_max_body_size 64k;" in config


def test_compose_qa_variables_are_real_documented_settings() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    named = set(re.findall(r"\bQA_[A-Z0-9_]+", text)) | {
        n for n in interpolated_names(text) if n.startswith("QA_")
    }
    assert named, "compose names no QA_ settings at all"
    assert named <= SETTING_VARS, f"not settings: {sorted(named - SETTING_VARS)}"
    documented = readme_config_variables()
    assert named <= documented, f"not in README table: {sorted(named - documented)}"
    dockerfile_vars = {k for k in runtime_stage().env() if k.startswith("QA_")}
    assert dockerfile_vars <= SETTING_VARS


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    documented = readme_config_variables()
    assert SETTING_VARS - documented == set(), "add these to README's configuration table"
    assert documented - SETTING_VARS == set(), "README documents settings that do not exist"


@pytest.mark.slow
def test_container_command_serves_and_its_healthcheck_passes(tmp_path: Path) -> None:
    """The image's CMD + ENV as `docker run` would start them, outside Docker."""
    from tests.integration.deploy_processes import container_env, spawn, wait_healthy

    stage = runtime_stage()
    env, url = container_env(stage.env(), tmp_path)
    _, probe = healthcheck_command(stage.args("HEALTHCHECK")[-1])
    assert subprocess.run(probe, env=env, check=False, timeout=30).returncode == 1  # nothing up
    with spawn(container_command(stage), env, tmp_path / "api.log") as process:
        wait_healthy(probe, env, process, tmp_path / "api.log", timeout_s=240)
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{url}/readyz")  # empty temp store: alive but not ready, by design
        assert ready.status_code == 503 and ready.json()["status"] == "corpus empty"


@pytest.mark.slow
def test_compose_services_run_outside_docker(tmp_path: Path) -> None:
    """chroma -> ingest (exit 0) -> api, each with its compose command and environment."""
    from tests.integration.deploy_processes import run_compose_stack

    status, search = run_compose_stack(load_compose(), runtime_stage(), tmp_path)
    assert status["status"] == "ready" and status["chunks"] > 0
    assert search["results"], "the API serves what the ingest job wrote"
