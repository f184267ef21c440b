"""Two monitoring replicas on one PostgreSQL database announce each missed report period once.

The replicas are two `create_app(settings)` instances in this process, each with its lifespan
running (outbox relay, Kafka consumer, overdue job), sharing one real PostgreSQL database and
the real Kafka broker. Projects are seeded through the real path: `project.created` CloudEvents
published to Kafka and consumed by the replicas, and status reports filed over HTTP. The overdue
check then runs in both replicas at once — their own jobs on a short interval plus several
rounds of concurrent explicit calls — and `project.report_overdue` is read back from Kafka with
a plain consumer: exactly one event per (project, period).
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.db.engine import create_database_engine
from pmo_common.events.envelope import CloudEvent
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db import overdue_claim_repository as overdue_claims
from pmo_monitoring.db.tables import messaging, monitored_projects, overdue_announcements
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS
from pmo_monitoring.domain.reporting_cadence import check_report_overdue
from pmo_monitoring.handlers.overdue_detection import announce_overdue_reports
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit import TokenFactory, eventually
from pmo_stack.testkit.kafka_records import produce_events, read_all
from pmo_stack.testkit.postgres_locks import wait_until_blocked
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

pytestmark = pytest.mark.integration

DEADLINE = 60.0
PROJECTS = 12
ROUNDS = 4
CALLS_PER_REPLICA = 2
REPORT_OVERDUE = "project.report_overdue"
TODAY = datetime.now(UTC).date()
NEXT_PERIOD = TODAY + timedelta(days=DEFAULT_THRESHOLDS.report_cadence_days)


class ReplicaSettings(MonitoringSettings):
    """Monitoring's settings with a consumer group of the test's own.

    The replicas consume intake's real topics; a group of their own keeps them from taking
    partitions (and committing offsets) away from any other monitoring on the same broker.
    """

    test_consumer_group: str = "pmo-monitoring-itest"

    @property
    def consumer_group(self) -> str:
        """This test's consumer group, shared by its two replicas."""
        return self.test_consumer_group


@pytest.fixture
async def database_url(make_database: Callable[[str], str]) -> str:
    """A fresh PostgreSQL database with monitoring's migrations applied."""
    url = make_database("monitoring_replicas")
    # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A separate engine for the test's own look into the shared database."""
    engine = create_database_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def replicas(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> AsyncIterator[list[FastAPI]]:
    """Two monitoring apps with their lifespans running, on one database and one broker."""
    group = f"pmo-monitoring-itest-{uuid.uuid4().hex[:8]}"
    apps: list[FastAPI] = []
    async with AsyncExitStack() as stack:
        for index in range(2):
            settings = ReplicaSettings(
                database_url=database_url,
                kafka_bootstrap_servers=kafka_bootstrap,
                kafka_enabled=True,
                data_dir=tmp_path / f"replica-{index}",
                overdue_check_seconds=0.1,
                outbox_poll_interval_seconds=0.2,
                test_consumer_group=group,
            )
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            apps.append(app)
        for app in apps:
            await eventually(partial(_ready, app), what="both replicas are ready", within=DEADLINE)
        yield apps


async def _ready(app: FastAPI) -> bool:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
        response = await http.get("/readyz")
    return response.status_code == 200 and response.json()["checks"].get("consumer") == "ok"


def _project(index: int) -> dict[str, Any]:
    # A methodology standards never published: the project is judged by the defaults.
    methodology = f"itest-unpublished-{uuid.uuid4().hex[:6]}"
    return project_created_data(f"Replica race {index:02d}", methodology=methodology)


async def _publish_created(bootstrap: str, projects: list[dict[str, Any]]) -> None:
    await produce_events(bootstrap, [project_created_event(data) for data in projects])


async def _file_old_report(app: FastAPI, project_id: str, as_of: date) -> None:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    body = {"as_of": as_of.isoformat(), "percent_complete": 60, "actual_cost": 60000}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
        response = await http.post(
            f"/v1/projects/{project_id}/status-reports",
            json=body,
            headers=headers,
        )
    assert response.status_code == 201, response.text


def _expected_periods(
    projects: list[dict[str, Any]], reported: dict[str, date]
) -> set[tuple[str, int]]:
    expected: set[tuple[str, int]] = set()
    for data in projects:
        for today in (TODAY, NEXT_PERIOD):
            overdue = check_report_overdue(
                start_date=date.fromisoformat(data["start_date"]),
                last_report_at=reported.get(data["project_id"]),
                today=today,
                thresholds=DEFAULT_THRESHOLDS,
            )
            assert overdue is not None
            expected.add((data["project_id"], overdue.period))
    return expected


async def _count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


async def _read_overdue_events(bootstrap: str, project_ids: set[str]) -> list[CloudEvent]:
    """Every project.report_overdue now in Kafka about the given projects."""
    events = [
        CloudEvent.from_bytes(r.value or b"") for r in await read_all(bootstrap, REPORT_OVERDUE)
    ]
    return [event for event in events if event.data.get("project_id") in project_ids]


async def test_replicas_announce_each_missed_period_exactly_once(
    replicas: list[FastAPI], engine: AsyncEngine, kafka_bootstrap: str
) -> None:
    projects = [_project(index) for index in range(PROJECTS)]
    project_ids = {data["project_id"] for data in projects}
    await _publish_created(kafka_bootstrap, projects)

    async def all_projected() -> bool:
        query = (
            select(func.count())
            .select_from(monitored_projects)
            .where(monitored_projects.c.id.in_(project_ids))
        )
        return await _count(engine, query) == PROJECTS

    await eventually(
        all_projected, what="both replicas' consumers projected every project", within=DEADLINE
    )

    # Half the projects last reported 30 days ago (overdue), the others never did.
    reported = {data["project_id"]: TODAY - timedelta(days=30) for data in projects[::2]}
    for index, (project_id, as_of) in enumerate(reported.items()):
        await _file_old_report(replicas[index % 2], project_id, as_of)

    # The replicas' own jobs run every 0.1 s meanwhile; these rounds add concurrent passes
    # from both, for today's missed period and for the next one.
    for today in (TODAY, NEXT_PERIOD):
        for _round in range(ROUNDS):
            await asyncio.gather(
                *(
                    announce_overdue_reports(app.state.runtime.sessions, today=today)
                    for app in replicas
                    for _call in range(CALLS_PER_REPLICA)
                )
            )

    expected = _expected_periods(projects, reported)
    assert len(expected) == 2 * PROJECTS  # two distinct periods per project

    outbox = messaging.outbox
    overdue_rows = select(func.count()).select_from(outbox).where(outbox.c.topic == REPORT_OVERDUE)
    unsent = overdue_rows.where(outbox.c.published_at.is_(None))

    async def relayed() -> bool:
        return await _count(engine, unsent) == 0

    await eventually(
        relayed, what="the replicas' relays published every overdue event", within=DEADLINE
    )

    # No replica that lost a claim wrote an event: one outbox row and one claim per period.
    assert await _count(engine, overdue_rows) == len(expected)
    async with engine.connect() as connection:
        claims = {
            (row.project_id, row.period)
            for row in (
                await connection.execute(
                    select(overdue_announcements).where(
                        overdue_announcements.c.project_id.in_(project_ids)
                    )
                )
            ).all()
        }
    assert claims == expected

    events = await _read_overdue_events(kafka_bootstrap, project_ids)
    per_period = Counter((event.data["project_id"], event.data["period"]) for event in events)
    assert set(per_period) == expected
    duplicates = {key: count for key, count in per_period.items() if count != 1}
    assert not duplicates, f"announced more than once: {duplicates}"
    for event in events:
        assert event.source == "/pmo/monitoring"
        assert event.subject == event.data["project_id"]


async def test_a_claim_waits_for_a_concurrent_one_and_then_yields_to_it(
    engine: AsyncEngine,
) -> None:
    """ON CONFLICT DO NOTHING on PostgreSQL: the second claimer of a period gets False once the
    first commits, and True if the first rolls back — never both True."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for first_commits in (True, False):
        project_id = str(uuid.uuid4())
        claim = functools.partial(
            overdue_claims.claim_overdue_period,
            project_id=project_id,
            period=6,
            due_date=TODAY,
            published_at=datetime.now(UTC),
        )
        async with sessions() as first, sessions() as second:
            assert await claim(first)
            contender = asyncio.create_task(claim(second))
            # Commit or roll back only once the contender is really blocked on the first's row.
            await wait_until_blocked(engine)
            if first_commits:
                await first.commit()
            else:
                await first.rollback()
            assert await asyncio.wait_for(contender, timeout=DEADLINE) is (not first_commits)
            await second.commit()
        count = (
            select(func.count())
            .select_from(overdue_announcements)
            .where(overdue_announcements.c.project_id == project_id)
        )
        assert await _count(engine, count) == 1
