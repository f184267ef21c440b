"""PostgreSQL (every service's database) stopped for 30 s in the middle of the load, then started.

Meanwhile the consumers hold their records and wait (nothing is dead-lettered), the outbox
relays and the delivery job retry, and the API answers 503 with Retry-After, not 500.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
from pmo_stack.postgres_cluster import PostgresCluster
from pmo_stack.testkit.alert_load import red_report
from pmo_stack.testkit.fault_counts import assert_nothing_lost, settle_and_count
from pmo_stack.testkit.fault_infrastructure import FaultServers
from pmo_stack.testkit.fault_kit import FaultKit

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 30.0
PROBE_EVERY_SECONDS = 3.0


async def test_postgres_stopped_for_30_seconds_mid_load_loses_nothing(
    servers: FaultServers, faults: FaultKit
) -> None:
    load = faults.new_load("postgres stopped 30s")
    second = await load.first_half_through()

    answers: Counter[str] = Counter()
    await asyncio.to_thread(servers.postgres.stop)
    stopped_at = time.monotonic()
    try:
        # A manager files a report while the database is away (the outage's length is the
        # fault injected, not a wait for something to happen).
        probe = second[0]
        while (left := OUTAGE_SECONDS - (time.monotonic() - stopped_at)) > 0:
            answer = await faults.http.post(
                load.url("monitoring", f"/v1/projects/{probe.id}/status-reports"),
                headers=load.stack.tokens.headers("project_manager", probe.manager),
                json=red_report(load.as_of),
            )
            answers[_described(answer)] += 1
            await asyncio.sleep(min(left, PROBE_EVERY_SECONDS))
    finally:
        await asyncio.to_thread(_start, servers.postgres)

    await load.turn_red(second)
    await load.recover(second)
    counts = await settle_and_count(faults.ledger(load), load.scenario)
    print(f"[fault] {load.scenario}: status reports filed during the outage: {dict(answers)}")
    assert_nothing_lost(counts)
    assert set(answers) == {"503 with Retry-After"}, answers


def _described(answer: httpx.Response) -> str:
    if answer.status_code == 503 and "retry-after" in answer.headers:
        return "503 with Retry-After"
    return f"{answer.status_code} {answer.text[:120]}"


def _start(postgres: PostgresCluster) -> None:
    postgres.start()
    postgres.wait_ready()
