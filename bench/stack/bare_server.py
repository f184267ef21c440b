"""The baseline server: bench.stack.bare_app under uvicorn, one process, as the services run."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from pmo_stack.paths import repo_root
from pmo_stack.ports import free_port
from pmo_stack.process_group import spawn_in_group, stop_group, tail


@dataclass(frozen=True)
class BareServer:
    """Where the bare app listens."""

    host: str
    port: int


@contextmanager
def bare_server(log_dir: Path) -> Iterator[BareServer]:
    """Serve the bare app on a free loopback port until the block ends."""
    port = free_port()
    log_path = log_dir / "bare-app.log"
    # The same uvicorn options as pmo_stack.services.ServiceProcess.command.
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.stack.bare_app:app",
        "--app-dir",
        str(repo_root()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    process = spawn_in_group(command, log_path=log_path, cwd=repo_root())
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}/healthz", log_path)
        yield BareServer("127.0.0.1", port)
    finally:
        stop_group(process, timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the bare app exited: {tail(log_path)}")
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"the bare app did not answer {url}: {tail(log_path)}")
