"""Launching the four services as real uvicorn processes (for `make run` and end-to-end tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from pmo_stack.lifecycle import Startable
from pmo_stack.process_group import GroupProcess, spawn_in_group, tail

SERVICES: dict[str, int] = {
    "intake": 8001,
    "monitoring": 8002,
    "standards": 8003,
    "notifications": 8004,
}


def _child_env(env: Mapping[str, str]) -> dict[str, str]:
    # Inherit PATH, HOME and friends; the caller's values win over the parent's.
    return {**os.environ, "PYTHONUNBUFFERED": "1", **env}


def migrate(service: str, env: Mapping[str, str]) -> None:
    """Run `python -m pmo_<service> migrate` (Alembic upgrade head); raise with its output."""
    _check_known(service)
    result = subprocess.run(
        [sys.executable, "-m", f"pmo_{service}", "migrate"],
        env=_child_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"migrating {service} failed (exit {result.returncode}):\n"
            f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        )


def _check_known(service: str) -> None:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {sorted(SERVICES)}")


class ServiceProcess(GroupProcess):
    """One service running under uvicorn on 127.0.0.1, in its own process group."""

    def __init__(
        self, service: str, *, env: Mapping[str, str], log_path: Path, port: int | None = None
    ) -> None:
        _check_known(service)
        super().__init__(log_path)
        self.service = service
        self.port = port if port is not None else SERVICES[service]
        self.env = dict(env)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:8001."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        """The uvicorn command line (no `Server` header: it would name the server software)."""
        return [
            sys.executable,
            "-m",
            "uvicorn",
            f"pmo_{self.service}.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--no-server-header",
        ]

    def start(self) -> None:
        """Launch uvicorn; output is appended to `log_path`."""
        if self.is_running:
            return
        self._proc = spawn_in_group(self.command, log_path=self.log_path, env=_child_env(self.env))

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll GET /readyz until it answers 200; fail early if the process dies."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._proc is None or self._proc.poll() is not None:
                    code = None if self._proc is None else self._proc.returncode
                    raise RuntimeError(
                        f"{self.service} is not running (exit code {code}); "
                        f"log {self.log_path}:\n{tail(self.log_path)}"
                    )
                try:
                    response = client.get(f"{self.url}/readyz")
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text[:300]}"
                except httpx.TransportError as exc:
                    last = repr(exc)
                time.sleep(0.25)
        raise TimeoutError(
            f"{self.service} not ready after {timeout:.0f}s (last: {last}); "
            f"log {self.log_path}:\n{tail(self.log_path)}"
        )

    def restart(self, timeout: float = 60.0) -> None:
        """Stop (if running), start again and wait until ready."""
        self.stop()
        self.start()
        self.wait_ready(timeout)


class Stack(Startable):
    """The four services: migrated, started and stopped together."""

    def __init__(
        self,
        *,
        data_dir: Path,
        env: Mapping[str, str],
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.env = dict(env)
        port_map = {**SERVICES, **(ports or {})}
        self.services: dict[str, ServiceProcess] = {
            name: ServiceProcess(
                name,
                env=self.env,
                log_path=data_dir / "logs" / f"{name}.log",
                port=port_map[name],
            )
            for name in SERVICES
        }

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each service."""
        return {name: proc.url for name, proc in self.services.items()}

    def migrate(self) -> None:
        """Run every service's migrations (in parallel: each is a separate database)."""
        with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
            futures = [pool.submit(migrate, name, self.env) for name in SERVICES]
            for future in futures:
                future.result()

    def start(self, timeout: float = 90.0) -> None:
        """Migrate, start all four and wait for every /readyz."""
        self.migrate()
        try:
            for proc in self.services.values():
                proc.start()
            for proc in self.services.values():
                proc.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the services in reverse start order."""
        for proc in reversed(list(self.services.values())):
            proc.stop()
