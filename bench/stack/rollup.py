"""Roll-up: GET /v1/portfolio/health over ~10,000 and ~100,000 projects, beside raw SQL.

Monitoring's database is topped up to each size with bulk-seeded projects, their health and
their roll-up figures and partials (bench/stack/rollup_seed.py). The route is called as a PMO
admin with its defaults (every active project, the first page of 50, no grouping); the
baseline is the same answer computed by PostgreSQL itself on the same database: the sums and
RAG counts per currency, and the first page of projects worst RAG first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg
import httpx

from bench.rollup_baseline import run_baseline
from bench.stack.databases import connect
from bench.stack.infra import BenchStack
from bench.stack.plan import Plan, repetitions_note, repetitions_within
from bench.stack.results import Results, median, milliseconds, percentile, ratio, spread
from bench.stack.rollup_seed import seed_projects

ACTIVE_SQL = "SELECT count(*) FROM monitored_projects WHERE status <> 'closed'"


@dataclass(frozen=True)
class Probe:
    """Times the route and the raw SQL on one database holding `active` active projects."""

    client: httpx.AsyncClient
    stack: BenchStack
    connection: asyncpg.Connection
    active: int

    async def route(self) -> float:
        """Seconds one GET took; fails unless it counted every active project (a roll-up
        reading tables the seeding left empty would look fast and be wrong)."""
        started = time.perf_counter()
        answer = await self.client.get(
            self.stack.url("monitoring", "/v1/portfolio/health"),
            headers=self.stack.admin_headers(),
        )
        seconds = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"the roll-up answered {answer.status_code}: {answer.text[:300]}")
        counted = answer.json()["project_count"]
        if counted != self.active:
            raise RuntimeError(
                f"the roll-up counts {counted:,} of the {self.active:,} active projects: it "
                "reads tables bench/stack/rollup_seed.py does not fill yet"
            )
        return seconds

    async def sql(self) -> float:
        """Seconds the sums and the first page took by raw SQL."""
        started = time.perf_counter()
        await run_baseline(self.connection)
        return time.perf_counter() - started


def size_label(size: int) -> str:
    """10000 -> 10k."""
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


async def measure_rollup(
    client: httpx.AsyncClient, stack: BenchStack, plan: Plan, results: Results
) -> None:
    """Seed monitoring up to each size, then time the route and the SQL, interleaved."""
    connection = await connect(stack.database_urls["monitoring"])
    try:
        for size in plan.rollup_sizes:
            existing = int(await connection.fetchval("SELECT count(*) FROM monitored_projects"))
            started = time.perf_counter()
            if existing < size:
                await seed_projects(
                    connection, stack.database_urls["monitoring"], size - existing, existing
                )
            seeded_in = time.perf_counter() - started
            probe = Probe(client, stack, connection, int(await connection.fetchval(ACTIVE_SQL)))
            if size == plan.rollup_sizes[0]:
                await probe.route()  # warm up: first query plans, caches
                await probe.sql()
            gets: list[list[float]] = []
            sqls: list[list[float]] = []
            for _repetition in repetitions_within(plan, plan.rollup_allowance_seconds[size]):
                rounds = [
                    (await probe.route(), await probe.sql())
                    for _ in range(plan.rollup_requests[size])
                ]
                gets.append([get for get, _ in rounds])
                sqls.append([sql for _, sql in rounds])
            _record(results, plan, size, max(existing, size), seeded_in, gets, sqls)
    finally:
        await connection.close()


def _record(
    results: Results,
    plan: Plan,
    size: int,
    projects: int,
    seeded_in: float,
    gets: list[list[float]],
    sqls: list[list[float]],
) -> None:
    label = size_label(size)
    p50s = [percentile(rep, 50) for rep in gets]
    p95s = [percentile(rep, 95) for rep in gets]
    sql_p50s = [percentile(rep, 50) for rep in sqls]
    ratios = [ratio(get, sql) for get, sql in zip(p50s, sql_p50s, strict=True)]
    results.row(
        f"portfolio roll-up over {projects:,} projects (PostgreSQL; seeded in {seeded_in:.0f} s)",
        f"the same sums and page by raw SQL: p50 {spread(milliseconds(sql_p50s), ' ms')}",
        f"p50 {spread(p50s, ' s', 2)}, p95 {spread(p95s, ' s', 2)}"
        + repetitions_note(plan, len(gets)),
        "null" if median(ratios) is None else f"{median(ratios):,.1f}x",
    )
    results.value(f"rollup_projects_{label}", projects)
    results.value(f"rollup_p50_s_{label}", median(p50s))
    results.value(f"rollup_p95_s_{label}", median(p95s))
    results.value(f"rollup_sql_p50_s_{label}", median(sql_p50s))
    results.value(f"rollup_ratio_{label}", median(ratios), digits=2)
