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

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import HealthMetrics, ProjectAtRisk, Reason
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_stack.testkit import TokenFactory, eventually
from pmo_stack.testkit.app_replicas import SharedDatabase, database_fixture, race, replicas_fixture
from pmo_stack.testkit.in_process import asgi_client
from pmo_stack.testkit.kafka_records import assert_once_each, events_about, produce_events
from pmo_stack.testkit.postgres_locks import second_claim
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from pmo_standards.config import StandardsSettings
from pmo_standards.db.action_repository import claim_overdue_action
from pmo_standards.db.tables import intervention_actions, interventions, messaging
from pmo_standards.handlers.action_overdue_detection import announce_overdue_actions
from pmo_standards.main import create_app
from pmo_standards.migrate import migrate
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

DEADLINE = 60.0
PROJECTS = 6
ACTIONS_PER_CASE = 2
ROUNDS = 4
ACTION_OVERDUE = "intervention.action_overdue"
TODAY = datetime.now(UTC).date()


database = database_fixture("standards_replicas", migrate)
replicas = replicas_fixture(
    create_app,
    StandardsSettings,
    action_overdue_check_seconds=0.1,
    outbox_poll_interval_seconds=0.2,
)


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


async def _case_ids(database: SharedDatabase, project_ids: set[str]) -> list[str]:
    query = select(interventions.c.id).where(interventions.c.project_id.in_(project_ids))
    return [case_id for (case_id,) in await database.rows(query)]


async def _add_overdue_action(app: FastAPI, case_id: str, due: date) -> str:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    body = {"title": f"Catch up by {due}", "owner": "owner@example.com", "due_date": str(due)}
    async with asgi_client(app, "http://standards", headers=headers) as http:
        response = await http.post(f"/v1/interventions/{case_id}/actions", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _announce_overdue(app: FastAPI) -> None:
    await announce_overdue_actions(app.state.runtime.sessions, today=TODAY)


async def test_replicas_announce_each_overdue_action_exactly_once(
    replicas: list[FastAPI], database: SharedDatabase, kafka_bootstrap: str
) -> None:
    projects = [project_created_data(f"Replica case {n:02d}") for n in range(PROJECTS)]
    project_ids = {project["project_id"] for project in projects}
    await produce_events(
        kafka_bootstrap,
        [project_created_event(p) for p in projects] + [_at_risk_event(p) for p in projects],
    )

    async def all_opened() -> list[str] | None:
        found = await _case_ids(database, project_ids)
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
        await race(replicas, _announce_overdue)

    # No replica that lost a claim wrote an event: one outbox row per action, each claimed.
    assert await database.relayed(messaging.outbox, ACTION_OVERDUE) == len(action_ids)
    unclaimed = (
        select(func.count())
        .select_from(intervention_actions)
        .where(intervention_actions.c.overdue_notified_at.is_(None))
    )
    assert await database.count(unclaimed) == 0

    mine = await events_about(kafka_bootstrap, ACTION_OVERDUE, project_ids)
    assert_once_each(mine, lambda event: event.data["action_id"], action_ids)
    for event in mine:
        assert event.source == "/pmo/standards"
        assert event.subject == event.data["project_id"]
        assert event.data["days_overdue"] >= 1


async def _seed_overdue_action(database: SharedDatabase) -> str:
    now = datetime.now(UTC)
    case_id, action_id, project_id = (str(uuid.uuid4()) for _ in range(3))
    async with database.engine.begin() as connection:
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


async def _claim_now(session: AsyncSession, *, action_id: str) -> bool:
    return await claim_overdue_action(
        session, action_id=action_id, today=TODAY, now=datetime.now(UTC)
    )


async def test_a_claim_waits_for_a_concurrent_one_and_then_yields_to_it(
    database: SharedDatabase,
) -> None:
    """The compare-and-set on PostgreSQL: the second claimer of an action gets False once the
    first commits, and True if the first rolls back — never both True."""
    for first_commits in (True, False):
        claim = partial(_claim_now, action_id=await _seed_overdue_action(database))
        got = await second_claim(database.engine, claim, first_commits=first_commits)
        assert got is (not first_commits)
