"""Projects for the benchmarks, registered through intake and awaited in monitoring.

The real event path (intake's outbox, Kafka, monitoring's consumer) rather than rows written
behind the services' backs: these counts are small, and the path is timed on the way as the
"intake create -> event on Kafka" figure.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pmo_common.events.catalog import PROJECT_CREATED

from bench.stack.infra import BenchStack
from bench.stack.kafka_tools import TopicTail

CREATE_CONCURRENCY = 8
MANAGER = "bench-manager@example.com"


@dataclass(frozen=True)
class Registered:
    """Project ids in creation order, and how fast their events reached Kafka."""

    ids: list[str]
    created_to_event_per_s: float | None


async def register_projects(
    client: httpx.AsyncClient, stack: BenchStack, bootstrap: str, bodies: Sequence[dict[str, Any]]
) -> Registered:
    """POST each body to intake (8 at a time) and note when each project.created appears."""
    tail = TopicTail(bootstrap, PROJECT_CREATED.type)
    await tail.start()
    try:
        started = time.monotonic()
        ids = await _create_all(client, stack, bodies)
        deadline = time.monotonic() + 60
        while True:
            if all(pid in tail.seen for pid in ids) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
    finally:
        await tail.stop()
    arrived = [tail.seen[pid] for pid in ids if pid in tail.seen]
    rate = len(arrived) / (max(arrived) - started) if arrived else None
    return Registered(ids=ids, created_to_event_per_s=rate)


async def _create_all(
    client: httpx.AsyncClient, stack: BenchStack, bodies: Sequence[dict[str, Any]]
) -> list[str]:
    gate = asyncio.Semaphore(CREATE_CONCURRENCY)
    headers = stack.admin_headers()

    async def create(body: dict[str, Any]) -> str:
        async with gate:
            answer = await client.post(
                stack.url("intake", "/v1/projects"),
                json=body,
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
        if answer.status_code != 201:
            raise RuntimeError(f"intake answered {answer.status_code}: {answer.text[:500]}")
        project_id: str = answer.json()["id"]
        return project_id

    return list(await asyncio.gather(*(create(body) for body in bodies)))


async def wait_until_monitored(
    client: httpx.AsyncClient, stack: BenchStack, ids: Sequence[str], *, within: float
) -> None:
    """Until monitoring has projected every project (its report list answers 200, not 404).

    Checked in creation order, each round stopping at the first project not yet there.
    """
    pending = list(ids)
    deadline = time.monotonic() + within
    while pending:
        while pending:
            url = stack.url("monitoring", f"/v1/projects/{pending[0]}/status-reports")
            answer = await client.get(url, params={"limit": 1}, headers=stack.admin_headers())
            if answer.status_code != 200:
                break
            pending.pop(0)
        if pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"monitoring still lacks {len(pending)} of {len(ids)} projects")
            await asyncio.sleep(0.2)
