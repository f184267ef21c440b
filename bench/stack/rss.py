"""Resident memory of each service process, read from /proc, at named moments of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pmo_stack.services import SERVICES

from bench.stack.infra import BenchStack
from bench.stack.results import Results


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB (10^6 bytes), or None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1_000_000
    return None


@dataclass
class RssLog:
    """RSS per service of one stack, by moment ("idle", "after the runs", ...)."""

    stack: BenchStack
    moments: dict[str, dict[str, float]] = field(default_factory=dict)

    def sample(self, moment: str, services: tuple[str, ...] = tuple(SERVICES)) -> None:
        """Read the RSS of each running service now."""
        found = self.moments.setdefault(moment, {})
        for service in services:
            pid = self.stack.pid(service)
            mb = rss_mb(pid) if pid is not None else None
            if mb is not None:
                found[service] = max(mb, found.get(service, 0.0))

    def record(self, results: Results) -> None:
        """One table row per moment; the idle and overall maxima per service as values."""
        for moment, by_service in self.moments.items():
            listed = ", ".join(f"{name} {mb:.0f}" for name, mb in by_service.items())
            results.row(f"RSS per service, {moment} ({self.stack.name})", "-", f"{listed} MB")
        backend = self.stack.backend
        for service in SERVICES:
            seen = [m[service] for m in self.moments.values() if service in m]
            results.value(f"rss_mb_{backend}_{service}_max", max(seen) if seen else None, digits=1)
        idle = self.moments.get("idle", {})
        results.value(f"rss_mb_{backend}_idle_max", max(idle.values()) if idle else None, digits=1)
