"""Ingest: status-report POSTs per second through monitoring, beside the bare FastAPI route.

Each worker owns one project and files its reports one day apart, so no two requests wait
on the same project's lock and no report replaces another. Every POST carries a fresh
Idempotency-Key, as a client following the contract does. Reports stay on plan (green), so
no alert traffic runs alongside. Per repetition and concurrency the bare route is measured,
then the service, back to back with the same load generator.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from pmo_stack.testkit.project_data import project_body

from bench.stack.bare_server import BareServer
from bench.stack.http_load import LoadResult, closed_loop, post_request
from bench.stack.infra import BenchStack
from bench.stack.kafka_tools import wait_until_drained
from bench.stack.plan import Plan
from bench.stack.projects import MANAGER, register_projects, wait_until_monitored
from bench.stack.results import Results, median, milliseconds, ratio, ratio_text, spread

STARTED_DAYS_AGO = 1_500
BUDGET = 1_000_000.0
DURATION_DAYS = 2 * STARTED_DAYS_AGO


def report_body(day: int, start: date) -> dict[str, Any]:
    """A report `day` days into the project, exactly on plan (CPI = SPI = 1: green)."""
    percent = round(100 * day / DURATION_DAYS, 3)
    return {
        "as_of": (start + timedelta(days=day)).isoformat(),
        "percent_complete": percent,
        "actual_cost": round(BUDGET * percent / 100, 2),
        "risks": [{"title": "Supplier late", "probability": 0.3, "impact": 3}],
        "manager_rag": "green",
        "summary": "On track",
    }


@dataclass
class ReportStream:
    """The next report of each worker's own project, as request bytes for one server."""

    host: str
    port: int
    project_ids: list[str]
    authorization: dict[str, str]
    start: date
    # The bare route stores nothing, so its days may start over (it takes far more reports).
    reuse_days: bool = False
    next_day: dict[str, int] = field(default_factory=dict)

    def request_for(self, worker: int) -> bytes:
        project_id = self.project_ids[worker]
        day = self.next_day.get(project_id, 0) + 1
        if day > STARTED_DAYS_AGO:
            if not self.reuse_days:
                raise RuntimeError("a project ran out of past days to report on")
            day = 1
        self.next_day[project_id] = day
        body = json.dumps(report_body(day, self.start)).encode()
        headers = {**self.authorization, "Idempotency-Key": str(uuid.uuid4())}
        path = f"/v1/projects/{project_id}/status-reports"
        return post_request(self.host, self.port, path, body, headers)


@dataclass
class Rounds:
    """The bare route's and the service's runs at one concurrency, one per repetition."""

    bare: list[LoadResult] = field(default_factory=list)
    service: list[LoadResult] = field(default_factory=list)


async def measure_ingest(
    client: httpx.AsyncClient,
    stack: BenchStack,
    bare: BareServer,
    bootstrap: str,
    plan: Plan,
    results: Results,
) -> None:
    """Measure and record the ingest figures of one stack."""
    workers = max(plan.ingest_concurrency)
    bodies = [
        project_body(
            f"Ingest {n}",
            MANAGER,
            started_days_ago=STARTED_DAYS_AGO,
            ends_in_days=STARTED_DAYS_AGO,
            budget=BUDGET,
        )
        for n in range(workers)
    ]
    registered = await register_projects(client, stack, bootstrap, bodies)
    await wait_until_monitored(client, stack, registered.ids, within=60)
    start = datetime.now(UTC).date() - timedelta(days=STARTED_DAYS_AGO)
    authorization = stack.admin_headers()
    service = ReportStream(
        "127.0.0.1", stack.port("monitoring"), registered.ids, authorization, start
    )
    baseline = ReportStream(
        bare.host, bare.port, registered.ids, authorization, start, reuse_days=True
    )
    # Warm both up (imports, caches, connection pools) before anything counts.
    for stream in (baseline, service):
        await closed_loop(
            stream.host, stream.port, concurrency=8, seconds=1.0, request_for=stream.request_for
        )
    await wait_until_drained(bootstrap, within=30)
    rounds = {concurrency: Rounds() for concurrency in plan.ingest_concurrency}
    for _repetition in range(plan.repetitions):
        for concurrency, measured in rounds.items():
            for stream, into in ((baseline, measured.bare), (service, measured.service)):
                into.append(
                    await closed_loop(
                        stream.host,
                        stream.port,
                        concurrency=concurrency,
                        seconds=plan.ingest_seconds,
                        request_for=stream.request_for,
                    )
                )
    for concurrency, measured in rounds.items():
        _record(results, stack, concurrency, measured)


def _record(results: Results, stack: BenchStack, concurrency: int, measured: Rounds) -> None:
    key = f"{stack.backend}_c{concurrency}"
    bare_rates = [run.per_second for run in measured.bare]
    rates = [run.per_second for run in measured.service]
    p50s = [run.p(50) for run in measured.service]
    p99s = [run.p(99) for run in measured.service]
    ratios = [ratio(r, b) for r, b in zip(rates, bare_rates, strict=True)]
    failures = sum(run.failures for run in measured.service)
    refused = next((run.first_failure for run in measured.service if run.first_failure), "")
    latency = f"p50 {spread(milliseconds(p50s), ' ms')}, p99 {spread(p99s, ' s', 2)}"
    project = f"{spread(rates, ' req/s')}, {latency}"
    if failures:
        project += f"; {failures} not 2xx, first: {refused[:120]}"
    results.row(
        f"status-report POST, {stack.name}, {concurrency} concurrent",
        f"bare FastAPI route, same body: {spread(bare_rates, ' req/s')}",
        project,
        ratio_text(median(ratios)),
    )
    results.value(f"bare_rps_{key}", median(bare_rates), digits=1)
    results.value(f"ingest_rps_{key}", median(rates), digits=1)
    results.value(f"ingest_p50_s_{key}", median(p50s))
    results.value(f"ingest_p99_s_{key}", median(p99s))
    results.value(f"ingest_ratio_{key}", median(ratios))
    results.value(f"ingest_failures_{key}", failures)
