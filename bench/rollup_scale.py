"""Portfolio roll-up at scale: GET /v1/portfolio/health over 10,000 and 100,000 projects.

Monitoring runs in process (its own `create_app`, Kafka off) on PostgreSQL: a throwaway
server started for the run, or a fresh database on PMO_TEST_DATABASE_URL's server. Projects
are seeded in bulk (`seed_projects`: COPY into the service's own tables, their health assessed
by the service's health rules), topped up from one size to the next. Each view of the route is
timed beside the raw SQL any roll-up that reads every project must at least run: the sums and
RAG counts per currency, and the first page worst RAG first, straight from the projection and
the stored health. Figures are printed, never asserted.

    uv run python -m bench.rollup_scale [--sizes 10000 100000] [--requests 40]

Another benchmark can seed monitoring's database the same way: `await seed_projects(url,
count, offset=existing)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.project_figures import figures_row
from pmo_monitoring.db.rollup_partials import rebuild_partials
from pmo_monitoring.db.tables import monitored_projects, project_figures, project_health
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, ProjectBaseline, StatusReport
from pmo_monitoring.domain.records import (
    MonitoredProject,
    StoredHealth,
    metrics_record,
    reason_records,
)
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from sqlalchemy import JSON, Table
from sqlalchemy.engine import make_url

from bench.consumer_apply import postgres_databases
from bench.rollup_baseline import SUMS_SQL, run_baseline

SIZES = (10_000, 100_000)
REQUESTS = 40
SEED = 20_240_101
PORTFOLIOS = 40
PROGRAMMES = 160
TEMPLATES = 200
CHUNK = 10_000
MISSED_REPORT_SHARE = 0.05  # last reported long ago: amber today for a missed report
CLOSED_SHARE = 0.03


@dataclass(frozen=True)
class Template:
    """A baseline and its latest report's stored health, copied under many ids."""

    start_date: date
    end_date: date
    budget: float
    health: StoredHealth


def templates(today: date, chance: random.Random) -> list[Template]:
    """Synthetic projects, each with one report judged by the service's health rules."""
    found: list[Template] = []
    for number in range(TEMPLATES):
        start = today - timedelta(days=chance.randint(30, 500))
        end = start + timedelta(days=chance.randint(200, 900))
        baseline = ProjectBaseline(f"t{number}", "template", start, end, 10_000.0 * (number + 1))
        as_of = today - timedelta(days=chance.randint(0, 10))
        report = StatusReport(
            as_of,
            percent_complete=round(chance.uniform(5, 95), 1),
            actual_cost=round(baseline.budget * chance.uniform(0.05, 1.1), 2),
        )
        assessment = assess_health(baseline, report, DEFAULT_THRESHOLDS, as_of, None)
        health = StoredHealth(
            project_id="",
            rag=assessment.rag,
            reasons=tuple(reason_records(assessment.reasons)),
            metrics=metrics_record(assessment.metrics),
            as_of=as_of,
            last_report_at=as_of,
            report_id=None,
            assessed_at=datetime.now(UTC),
        )
        found.append(Template(start, end, baseline.budget, health))
    return found


def _groups(seed: int) -> tuple[list[str], list[str]]:
    chance = random.Random(seed)
    portfolios = [str(uuid.UUID(int=chance.getrandbits(128))) for _ in range(PORTFOLIOS)]
    programmes = [str(uuid.UUID(int=chance.getrandbits(128))) for _ in range(PROGRAMMES)]
    return portfolios, programmes


def _project_and_health(
    number: int, template: Template, chance: random.Random, groups: tuple[list[str], list[str]]
) -> tuple[MonitoredProject, StoredHealth | None]:
    portfolios, programmes = groups
    programme = number % PROGRAMMES
    project = MonitoredProject(
        id=str(uuid.UUID(int=chance.getrandbits(128))),
        name=f"Seeded project {number:06d}",
        manager=f"manager{number % 997}@example.com",
        sponsor=None,
        methodology="waterfall",
        start_date=template.start_date,
        end_date=template.end_date,
        budget=template.budget,
        currency="EUR" if number % 10 else "GBP",
        milestones=(),
        planned_value_profile=(),
        portfolio_id=portfolios[programme % PORTFOLIOS],
        program_id=programmes[programme],
        status="closed" if chance.random() < CLOSED_SHARE else "active",
        version=1,
        projected_at=datetime.now(UTC),
    )
    if number % 20 == 19:
        return project, None  # never reported
    health = replace(template.health, project_id=project.id)
    if chance.random() < MISSED_REPORT_SHARE:
        stale = health.as_of - timedelta(days=60)
        health = replace(health, as_of=stale, last_report_at=stale)
    return project, health


def copy_rows(
    table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns to COPY and each row's values in their order (JSON columns as text).

    A column the rows leave out is filled by its server default, or null where it may be, so
    a migration adding such a column does not break the seeding.
    """
    columns: list[str] = []
    for column in table.columns:
        if column.name in rows[0] or (column.server_default is None and column.nullable):
            columns.append(column.name)
        elif column.server_default is None:
            raise LookupError(
                f"{table.name}.{column.name} is new and required: teach the roll-up "
                "benchmarks' seeding (bench/rollup_scale.py) what to store in it"
            )
    as_json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    records = [
        tuple(json.dumps(row.get(name)) if name in as_json else row.get(name) for name in columns)
        for row in rows
    ]
    return columns, records


def _table_rows(
    pairs: Sequence[tuple[MonitoredProject, StoredHealth | None]],
) -> dict[Table, list[dict[str, Any]]]:
    projects, healths, figures = [], [], []
    for project, health in pairs:
        projects.append(
            {
                **{name: getattr(project, name) for name in MonitoredProject.__dataclass_fields__},
                "milestones": [],
                "planned_value_profile": [],
            }
        )
        if health is not None:
            healths.append(
                {
                    **asdict(health),
                    "reasons": [dict(reason) for reason in health.reasons],
                    "metrics": dict(health.metrics),
                    "health_version": 1,
                }
            )
        figures.append(figures_row(project, health))
    return {monitored_projects: projects, project_health: healths, project_figures: figures}


def asyncpg_dsn(database_url: str) -> str:
    """The plain libpq URL of a SQLAlchemy postgresql+asyncpg:// URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def seed_projects(
    database_url: str, count: int, *, offset: int = 0, seed: int = SEED
) -> None:
    """Add `count` projects (numbered from `offset`) to a migrated monitoring database on
    PostgreSQL: the projection, stored health and roll-up figures by COPY, then the partials
    recomputed. Same seed and numbers, same projects."""
    chance = random.Random(seed + offset)
    shapes = templates(datetime.now(UTC).date(), random.Random(seed))
    groups = _groups(seed)
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        for start in range(offset, offset + count, CHUNK):
            numbers = range(start, min(start + CHUNK, offset + count))
            pairs = [
                _project_and_health(number, shapes[number % len(shapes)], chance, groups)
                for number in numbers
            ]
            for table, rows in _table_rows(pairs).items():
                if rows:
                    columns, records = copy_rows(table, rows)
                    await connection.copy_records_to_table(
                        table.name, records=records, columns=columns
                    )
        for table in (monitored_projects, project_health, project_figures):
            await connection.execute(f"ANALYZE {table.name}")
    finally:
        await connection.close()
    await rebuild_rollup_partials(database_url)


async def rebuild_rollup_partials(database_url: str) -> None:
    """Recompute every roll-up partial from project_figures by the service's own query
    (`rebuild_partials`), after figures were written in bulk."""
    engine = create_database_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await rebuild_partials(session)
    finally:
        await engine.dispose()


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Timing:
    """Milliseconds of repeated calls of one thing."""

    label: str
    seconds: list[float]

    def row(self, baseline: Timing | None) -> str:
        p50 = statistics.median(self.seconds) * 1000
        p95 = _percentile(self.seconds, 0.95) * 1000
        ratio = f"{p50 / (statistics.median(baseline.seconds) * 1000):6.2f}" if baseline else ""
        return f"  {self.label:<52} {p50:9.1f} {p95:9.1f} {ratio:>8}"


async def _read_roll_up(
    client: httpx.AsyncClient, query: dict[str, str], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.get("/v1/portfolio/health", params=query, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"the roll-up answered {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


async def _timed(label: str, call: Callable[[], Awaitable[object]], requests: int) -> Timing:
    for _ in range(3):  # warm: plans, caches, connections
        await call()
    seconds: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return Timing(label, seconds)


def _headers(role: str, email: str) -> dict[str, str]:
    token = mint_dev_token(secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=[role])
    return {"Authorization": f"Bearer {token}"}


PORTFOLIO_MANAGER = "pm@example.com"

VIEWS: list[tuple[str, dict[str, Any], tuple[str, str]]] = [
    ("GET default (first page of 50)", {}, ("pmo_admin", "pmo@example.com")),
    ("GET group_by=portfolio", {"group_by": "portfolio"}, ("pmo_admin", "pmo@example.com")),
    (
        "GET group_by=program, include_closed",
        {"group_by": "program", "include_closed": "true"},
        ("pmo_admin", "pmo@example.com"),
    ),
    ("GET offset=5000 (a deep page)", {"offset": 5000}, ("pmo_admin", "pmo@example.com")),
    (
        "GET one portfolio, group_by=program",
        {"group_by": "program", "portfolio_id": "{portfolio}"},
        ("portfolio_manager", PORTFOLIO_MANAGER),
    ),
    ("GET a project manager's own projects", {}, ("project_manager", "manager7@example.com")),
]


async def measure(
    client: httpx.AsyncClient, database_url: str, size: int, requests: int
) -> list[str]:
    """Time every view and the raw SQL at one size; the printed rows."""
    portfolio = _groups(SEED)[0][0]
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        # The portfolio manager of the "one portfolio" view is a member of it (ADR 0026), as
        # intake's member_added event would have made them.
        await connection.execute(
            "INSERT INTO portfolio_members (portfolio_id, email, role, present, changed_by,"
            " changed_at) VALUES ($1, $2, 'portfolio_manager', true, 'bench', now())"
            " ON CONFLICT DO NOTHING",
            portfolio,
            PORTFOLIO_MANAGER,
        )
        baseline = await _timed(
            "raw SQL: sums + first page, every project", partial(run_baseline, connection), requests
        )
        counted = await connection.fetch(SUMS_SQL)
    finally:
        await connection.close()
    lines = [f"{size:,} projects", f"  {'':<52} {'p50 ms':>9} {'p95 ms':>9} {'x raw':>8}"]
    lines.append(baseline.row(None))
    for label, params, (role, email) in VIEWS:
        query = {name: str(value).format(portfolio=portfolio) for name, value in params.items()}
        call = partial(_read_roll_up, client, query, _headers(role, email))
        lines.append((await _timed(label, call, requests)).row(baseline))
    default = await _read_roll_up(client, {}, _headers("pmo_admin", "pmo@example.com"))
    lines.append(
        f"  check: the route counts {default['project_count']:,} open projects, "
        f"raw SQL {sum(int(row['projects']) for row in counted):,}"
    )
    return lines


async def run(sizes: Sequence[int], requests: int, database_url: str) -> None:
    """Migrate, then seed up to each size and measure."""
    await asyncio.to_thread(migrate, database_url)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = MonitoringSettings(
            database_url=database_url,
            kafka_enabled=False,
            data_dir=Path(data_dir),
            overdue_check_seconds=0,
        )
        app = create_app(settings)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://monitoring"
            ) as client:
                seeded = 0
                for size in sorted(sizes):
                    started = time.perf_counter()
                    await seed_projects(database_url, size - seeded, offset=seeded)
                    took = time.perf_counter() - started
                    print(f"seeded {size - seeded:,} projects in {took:.1f} s")
                    seeded = size
                    print(
                        "\n".join(await measure(client, database_url, size, requests)), flush=True
                    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: `python -m bench.rollup_scale [--sizes N ...] [--requests R]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--requests", type=int, default=REQUESTS)
    options, _ = parser.parse_known_args(argv)
    with postgres_databases() as make_database:
        asyncio.run(run(options.sizes, options.requests, make_database("rollup_scale")))


if __name__ == "__main__":
    main(sys.argv[1:])
