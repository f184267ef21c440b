"""Two standards replicas on one PostgreSQL database announce each overdue recovery action once.

The replicas are two `create_app(settings)` instances in this process, each with its lifespan
running (outbox relay, Kafka consumer, overdue-action job), sharing one real PostgreSQL database
and the real Kafka broker. Cases are opened through the real path: `project.created` and
`project.at_risk` CloudEvents published to Kafka and consumed by the replicas; recovery actions
already past their due date are added over HTTP. Both replicas' jobs then check every 0.1 s while
rounds of concurrent explicit passes run in both, and `intervention.action_overdue` is read back
from Kafka with a plain consumer: exactly one event per action.
"""

from __future__ import annotations

import asyncio
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
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import HealthMetrics, ProjectAtRisk, Reason
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_stack.testkit import TokenFactory, eventually
from pmo_stack.testkit.kafka_records import produce_events, read_all
from pmo_stack.testkit.postgres_locks import wait_until_blocked
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from pmo_standards.config import StandardsSettings
from pmo_standards.db.action_repository import claim_overdue_action
from pmo_standards.db.tables import intervention_actions, interventions, messaging
from pmo_standards.handlers.action_overdue_detection import announce_overdue_actions
from pmo_standards.main import create_app
from pmo_standards.migrate import migrate
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

pytestmark = pytest.mark.integration

DEADLINE = 60.0
PROJECTS = 6
ACTIONS_PER_CASE = 2
ROUNDS = 4
CALLS_PER_REPLICA = 2
ACTION_OVERDUE = "intervention.action_overdue"
TODAY = datetime.now(UTC).date()


class ReplicaSettings(StandardsSettings):
    """Standards' settings with a consumer group of the test's own.

    The replicas consume the real topics; a group of their own keeps them from taking
    partitions (and committing offsets) away from any other standards on the same broker.
    """

    test_consumer_group: str = "pmo-standards-itest"

    @property
    def consumer_group(self) -> str:
        """This test's consumer group, shared by its two replicas."""
        return self.test_consumer_group


@pytest.fixture
async def database_url(make_database: Callable[[str], str]) -> str:
    """A fresh PostgreSQL database with standards' migrations applied."""
    url = make_database("standards_replicas")
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
    """Two standards apps with their lifespans running, on one database and one broker."""
    group = f"pmo-standards-itest-{uuid.uuid4().hex[:8]}"
    apps: list[FastAPI] = []
    async with AsyncExitStack() as stack:
        for index in range(2):
            settings = ReplicaSettings(
                database_url=database_url,
                kafka_bootstrap_servers=kafka_bootstrap,
                kafka_enabled=True,
                data_dir=tmp_path / f"replica-{index}",
                action_overdue_check_seconds=0.1,
                outbox_poll_interval_seconds=0.2,
                test_consumer_group=group,
            )
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            apps.append(app)
        for app in apps:
            await eventually(partial(_ready, app), what="both replicas are ready", within=DEADLINE)
        yield apps


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://standards")


async def _ready(app: FastAPI) -> bool:
    async with _client(app) as http:
        response = await http.get("/readyz")
    return response.status_code == 200 and response.json()["checks"].get("consumer") == "ok"


def _at_risk_event(project: dict[str, Any]) -> CloudEvent:
    payload = ProjectAtRisk(
        project_id=project["project_id"],
        project_name=project["name"],
        manager=project["manager"],
        rag="red",
        severity="critical",
        reasons=[Reason(code="cpi_below_threshold", message="CPI 0.80", metric="cpi")],
        metrics=HealthMetrics(cpi=0.8),
        as_of=TODAY,
        health_version=1,
    )
    return build_event(
        service="monitoring", event_type="project.at_risk", data=payload, subject=payload.project_id
    )


async def _count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


async def _case_ids(engine: AsyncEngine, project_ids: set[str]) -> list[str]:
    async with engine.connect() as connection:
        found = await connection.scalars(
            select(interventions.c.id).where(interventions.c.project_id.in_(project_ids))
        )
        return list(found)


async def _add_overdue_action(app: FastAPI, case_id: str, due: date) -> str:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    body = {"title": f"Catch up by {due}", "owner": "owner@example.com", "due_date": str(due)}
    async with _client(app) as http:
        response = await http.post(
            f"/v1/interventions/{case_id}/actions", json=body, headers=headers
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_replicas_announce_each_overdue_action_exactly_once(
    replicas: list[FastAPI], engine: AsyncEngine, kafka_bootstrap: str
) -> None:
    projects = [project_created_data(f"Replica case {n:02d}") for n in range(PROJECTS)]
    project_ids = {project["project_id"] for project in projects}
    await produce_events(
        kafka_bootstrap,
        [project_created_event(p) for p in projects] + [_at_risk_event(p) for p in projects],
    )

    async def all_opened() -> list[str] | None:
        found = await _case_ids(engine, project_ids)
        return found if len(found) == PROJECTS else None

    case_ids = await eventually(all_opened, what="one case per red project", within=DEADLINE)

    action_ids: set[str] = set()
    for index, case_id in enumerate(case_ids):
        for days_late in range(1, ACTIONS_PER_CASE + 1):
            app = replicas[(index + days_late) % 2]
            due = TODAY - timedelta(days=days_late)
            action_ids.add(await _add_overdue_action(app, case_id, due))

    # The replicas' own jobs run every 0.1 s meanwhile; these rounds add concurrent passes.
    for _round in range(ROUNDS):
        await asyncio.gather(
            *(
                announce_overdue_actions(app.state.runtime.sessions, today=TODAY)
                for app in replicas
                for _call in range(CALLS_PER_REPLICA)
            )
        )

    outbox = messaging.outbox
    overdue_rows = select(func.count()).select_from(outbox).where(outbox.c.topic == ACTION_OVERDUE)
    unsent = overdue_rows.where(outbox.c.published_at.is_(None))

    async def relayed() -> bool:
        return await _count(engine, unsent) == 0

    await eventually(relayed, what="the relays published every overdue event", within=DEADLINE)

    # No replica that lost a claim wrote an event: one outbox row per action, each claimed.
    assert await _count(engine, overdue_rows) == len(action_ids)
    unclaimed = (
        select(func.count())
        .select_from(intervention_actions)
        .where(intervention_actions.c.overdue_notified_at.is_(None))
    )
    assert await _count(engine, unclaimed) == 0

    records = await read_all(kafka_bootstrap, ACTION_OVERDUE)
    events = [CloudEvent.from_bytes(record.value or b"") for record in records]
    mine = [event for event in events if event.data.get("project_id") in project_ids]
    per_action = Counter(event.data["action_id"] for event in mine)
    assert set(per_action) == action_ids
    duplicates = {key: count for key, count in per_action.items() if count != 1}
    assert not duplicates, f"announced more than once: {duplicates}"
    for event in mine:
        assert event.source == "/pmo/standards"
        assert event.subject == event.data["project_id"]
        assert event.data["days_overdue"] >= 1


async def _seed_overdue_action(engine: AsyncEngine) -> str:
    now = datetime.now(UTC)
    case_id, action_id, project_id = (str(uuid.uuid4()) for _ in range(3))
    async with engine.begin() as connection:
        await connection.execute(
            insert(interventions).values(
                id=case_id,
                project_id=project_id,
                open_for_project=project_id,
                project_name="Claim race",
                manager="pm@example.com",
                status="open",
                opened_at=now,
                reasons=[],
                suggested_practices=[],
            )
        )
        await connection.execute(
            insert(intervention_actions).values(
                id=action_id,
                intervention_id=case_id,
                title="Late",
                owner="owner@example.com",
                due_date=TODAY - timedelta(days=1),
                status="open",
                created_by="pm@example.com",
                created_at=now,
            )
        )
    return action_id


async def test_a_claim_waits_for_a_concurrent_one_and_then_yields_to_it(
    engine: AsyncEngine,
) -> None:
    """The compare-and-set on PostgreSQL: the second claimer of an action gets False once the
    first commits, and True if the first rolls back — never both True."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for first_commits in (True, False):
        action_id = await _seed_overdue_action(engine)
        claim = partial(claim_overdue_action, action_id=action_id, today=TODAY)
        async with sessions() as first, sessions() as second:
            assert await claim(first, now=datetime.now(UTC))
            contender = asyncio.create_task(claim(second, now=datetime.now(UTC)))
            # Commit or roll back only once the contender is really blocked on the first's row.
            await wait_until_blocked(engine)
            if first_commits:
                await first.commit()
            else:
                await first.rollback()
            assert await asyncio.wait_for(contender, timeout=DEADLINE) is (not first_commits)
            await second.commit()
