"""Check deploy/compose.yaml and the image recipe it builds, without a Docker engine.

The Compose Specification itself is checked by compose-go (validate.sh); this checks what we
mean: each service is built from deploy/docker/Dockerfile with its SERVICE, migrates its own
database in a one-shot container before it starts, reads the database the init script
creates, and runs hardened; and the Dockerfile only copies files its build context lets in.

    python check_compose.py --repo . --resolved compose.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from service_list import service_ports

COMPOSE = "deploy/compose.yaml"
DOCKERFILE = "deploy/docker/Dockerfile"
INITDB = "deploy/compose/initdb.sql"
CONTAINER_TMP = "/tmp"  # noqa: S108 - a path inside the containers


def pattern_regex(pattern: str) -> str:
    """A .dockerignore pattern as a regular expression ("*" stays within one folder)."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            regex, i = regex + pattern[i : end + 1], end + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return regex


def excluded(path: str, patterns: list[str]) -> bool:
    """Whether a .dockerignore excludes a path: the last matching pattern wins, and a pattern
    matching a parent folder matches the path."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for raw in patterns:
        regex = pattern_regex(raw.removeprefix("!").strip("/"))
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            result = not raw.startswith("!")
    return result


def dockerignore_patterns(repo: Path) -> list[str]:
    """Patterns of the Dockerfile's own ignore file."""
    text = (repo / f"{DOCKERFILE}.dockerignore").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def check_dockerfile(repo: Path) -> list[str]:
    """Hardening of the image recipe and the sources its COPY lines need from the context."""
    problems = []
    text = (repo / DOCKERFILE).read_text()
    instructions = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in instructions.splitlines() if line.strip()]
    froms = [line for line in lines if line.upper().startswith("FROM ")]
    for required, message in (
        (r"^ARG SERVICE$", "a SERVICE build argument"),
        (r"^ARG PYTHON_IMAGE=python:3\.11-slim\b", "the python:3.11-slim base"),
        (r"^USER 10001(:10001)?$", "a numeric non-root USER 10001"),
        (r"PYTHONDONTWRITEBYTECODE=1", "PYTHONDONTWRITEBYTECODE=1"),
        (r"uv sync --frozen --no-dev", "dependencies installed from uv.lock (uv sync --frozen)"),
        (r"^ENTRYPOINT ", "an ENTRYPOINT"),
    ):
        if not any(re.search(required, line) for line in lines):
            problems.append(f"{DOCKERFILE}: {message}")
    if any(line.upper().startswith("HEALTHCHECK") for line in lines):
        problems.append(f"{DOCKERFILE}: no HEALTHCHECK (Kubernetes probes own health)")
    if not froms or "${PYTHON_IMAGE}" not in froms[-1]:
        problems.append(f"{DOCKERFILE}: the final stage starts from the slim Python image")
    final_stage = instructions[instructions.rindex(froms[-1]) :] if froms else ""
    if re.search(r"apt-get install|build-essential|gcc", final_stage):
        problems.append(f"{DOCKERFILE}: no build tools in the final stage")

    patterns = dockerignore_patterns(repo)
    for line in lines:
        if not line.upper().startswith("COPY ") or "--from=" in line:
            continue
        *sources, _destination = [w for w in line.split()[1:] if not w.startswith("--")]
        for source in sources:
            concrete = source.replace("${SERVICE}", "intake").rstrip("/")
            if not (repo / concrete).exists():
                problems.append(f"{DOCKERFILE}: COPY source {source} does not exist")
            elif excluded(concrete, patterns):
                problems.append(f"{DOCKERFILE}: COPY source {source} is in .dockerignore")
    return problems


def created_databases(repo: Path) -> dict[str, str]:
    """Database name -> owner, from the compose init script."""
    sql = (repo / INITDB).read_text()
    return dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", sql))


def check_service(name: str, services: dict[str, Any], repo: Path) -> list[str]:
    """One PMO service and its migration container in the resolved compose model."""
    problems = []
    app, migrate = services.get(name), services.get(f"{name}-migrate")
    if app is None or migrate is None:
        return [f"compose: services {name} and {name}-migrate"]
    databases = created_databases(repo)
    for label, svc in ((name, app), (f"{name}-migrate", migrate)):
        build = svc.get("build", {})
        dockerfile = Path(build.get("context", "")) / build.get("dockerfile", "")
        if dockerfile.resolve() != (repo / DOCKERFILE).resolve():
            problems.append(f"compose {label}: built from {DOCKERFILE} (got {dockerfile})")
        if build.get("args", {}).get("SERVICE") != name:
            problems.append(f"compose {label}: build arg SERVICE={name}")
        if not svc.get("read_only") or not any(
            str(t).startswith(CONTAINER_TMP) for t in svc.get("tmpfs", [])
        ):
            problems.append(f"compose {label}: read-only root filesystem with a tmpfs /tmp")
        if "ALL" not in svc.get("cap_drop", []):
            problems.append(f"compose {label}: cap_drop ALL")
        env = svc.get("environment", {})
        url = env.get(f"PMO_{name.upper()}_DATABASE_URL") or ""
        match = re.fullmatch(r"postgresql\+asyncpg://(\w+):[^@]+@postgres:5432/(\w+)", url)
        if not match or databases.get(match[2]) != match[1]:
            problems.append(f"compose {label}: PMO_{name.upper()}_DATABASE_URL names its database")
        other_urls = [k for k in env if k.endswith("_DATABASE_URL") and name.upper() not in k]
        if other_urls:
            problems.append(f"compose {label}: reads only its own database, not {other_urls}")
        if env.get("PMO_KAFKA_BOOTSTRAP_SERVERS", "").split(":")[0] not in services:
            problems.append(f"compose {label}: PMO_KAFKA_BOOTSTRAP_SERVERS names a compose service")
    if migrate.get("command") != ["migrate"]:
        problems.append(f"compose {name}-migrate: command [migrate]")
    if migrate.get("image") != app.get("image"):
        problems.append(f"compose {name}-migrate: the same image as {name}")
    waits = app.get("depends_on", {}).get(f"{name}-migrate", {}).get("condition")
    if waits != "service_completed_successfully":
        problems.append(f"compose {name}: starts after {name}-migrate completed successfully")
    published = {(p.get("target"), str(p.get("published"))) for p in app.get("ports", [])}
    port = service_ports(repo)[name]
    if (port, str(port)) not in published:
        problems.append(f"compose {name}: publishes port {port}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the compose file (raw and as compose-go resolved it) and the Dockerfile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--resolved", type=Path, required=True, help="compose-spec -format json")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()

    raw = yaml.safe_load((repo / COMPOSE).read_text())
    problems = [] if isinstance(raw, dict) and "services" in raw else [f"{COMPOSE}: no services"]
    services = json.loads(args.resolved.read_text())["services"]
    for name in service_ports(repo):
        problems += check_service(name, services, repo)
    for infra in ("postgres", "kafka", "mailpit"):
        if infra not in services:
            problems.append(f"compose: a {infra} service")
    problems += check_dockerfile(repo)
    for problem in problems:
        print(f"    FAIL {problem}")
    if problems:
        return 1
    print(f"    {len(services)} compose services and {DOCKERFILE} follow the deployment rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
