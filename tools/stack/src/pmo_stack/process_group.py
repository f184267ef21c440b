"""Child processes that run in their own process group, so stopping one stops its children."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pmo_stack.lifecycle import Startable


def spawn_in_group(
    cmd: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `cmd` in a new session with stdout and stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        # The child keeps its own copy of the descriptor; ours can close right away.
        return subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )


def signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send `sig` to the process group led by `proc`, ignoring one that already exited."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop_group(proc: subprocess.Popen[bytes], *, timeout: float = 20.0) -> int:
    """SIGTERM the group, wait up to `timeout` seconds, then SIGKILL it; return the exit code."""
    if proc.poll() is not None:
        return proc.returncode
    signal_group(proc, signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        signal_group(proc, signal.SIGKILL)
        return proc.wait()


def tail(path: Path, *, max_bytes: int = 4000) -> str:
    """Return the last `max_bytes` of a log file (empty if it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - max_bytes))
            return fh.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


class GroupProcess(Startable):
    """Something the stack runs as one child process in its own group (a subclass's `start`
    spawns it into `_proc`): running or not, stopped gracefully, or killed as a crash would."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def is_running(self) -> bool:
        """True while the process has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (graceful shutdown), then SIGKILL after `timeout` seconds."""
        if self._proc is not None:
            stop_group(self._proc, timeout=timeout)
            self._proc = None

    def kill(self) -> None:
        """SIGKILL at once, as a crash would: no shutdown hooks, no flush, no goodbye to clients."""
        if self._proc is not None:
            signal_group(self._proc, signal.SIGKILL)
            self._proc.wait()
            self._proc = None
