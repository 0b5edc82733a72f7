"""Read the Dockerfile and docker-compose.yml the way Docker would, for tests without an engine.

Only what this repository uses is supported: line continuations, comments, ``ENV k=v ...``,
exec-form (JSON) ``CMD``/``HEALTHCHECK CMD`` and ``${VAR:-default}`` interpolation in compose.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"
COMPOSE_FILE = REPO / "docker-compose.yml"
README = REPO / "README.md"
_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, instruction: str) -> list[str]:
        return [a for i, a in self.instructions if i == instruction]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.args("ENV"):
            for pair in shlex.split(args):
                key, sep, value = pair.partition("=")
                assert sep, f"use ENV key=value, not the legacy form: {args!r}"
                values[key] = value
        return values


def logical_lines(text: str) -> list[str]:
    """Instructions with continuations joined and comment lines dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].strip() + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def parse_dockerfile(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for line in logical_lines(text):
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], name=name))
        else:
            assert stages, f"{instruction} before FROM"
            stages[-1].instructions.append((instruction, args.strip()))
    return stages


def exec_form(args: str) -> list[str]:
    """A JSON-array instruction argument; shell form is rejected (signals, no /bin/sh needed)."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def healthcheck_command(args: str) -> tuple[dict[str, str], list[str]]:
    """Options and exec-form command of ``HEALTHCHECK [--opt=v ...] CMD [...]``."""
    options: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        option, _, rest = rest.partition(" ")
        key, _, value = option[2:].partition("=")
        options[key] = value
        rest = rest.strip()
    keyword, _, command = rest.partition(" ")
    assert keyword.upper() == "CMD", f"HEALTHCHECK must use CMD: {args!r}"
    return options, exec_form(command)


def runtime_stage() -> Stage:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))[-1]


def container_command(stage: Stage) -> list[str]:
    """ENTRYPOINT + CMD, as Docker combines them."""
    entrypoint = stage.args("ENTRYPOINT")
    cmd = stage.args("CMD")
    return (exec_form(entrypoint[-1]) if entrypoint else []) + (exec_form(cmd[-1]) if cmd else [])


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ``${VAR}`` / ``${VAR:-default}`` with an empty environment by default."""
    env = env or {}
    return _INTERPOLATION.sub(lambda m: env.get(m["name"]) or (m["default"] or ""), value)


def interpolated_names(text: str) -> set[str]:
    return {m["name"] for m in _INTERPOLATION.finditer(text)}


def service_env(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {str(k): interpolate(str(v)) for k, v in raw.items()}


def readme_config_variables() -> set[str]:
    """``QA_*`` names in the first column of the README's configuration table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`(QA_[A-Z0-9_]+)`", first_cell))
    return names


def dockerignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Enough of .dockerignore matching for top-level names and ``**/`` globs."""
    head = Path(path).parts[0]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if Path(path).match(pattern[3:]):
                return True
        elif Path(head).match(pattern) or Path(path).match(pattern):
            return True
    return False
