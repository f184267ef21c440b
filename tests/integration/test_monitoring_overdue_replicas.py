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

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from fastapi import FastAPI
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
from pmo_stack.testkit.app_replicas import SharedDatabase, database_fixture, race, replicas_fixture
from pmo_stack.testkit.in_process import asgi_client
from pmo_stack.testkit.kafka_records import assert_once_each, events_about, produce_events
from pmo_stack.testkit.postgres_locks import second_claim
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from sqlalchemy import func, select

pytestmark = pytest.mark.integration

DEADLINE = 60.0
PROJECTS = 12
ROUNDS = 4
REPORT_OVERDUE = "project.report_overdue"
TODAY = datetime.now(UTC).date()
NEXT_PERIOD = TODAY + timedelta(days=DEFAULT_THRESHOLDS.report_cadence_days)


database = database_fixture("monitoring_replicas", migrate)
replicas = replicas_fixture(
    create_app, MonitoringSettings, overdue_check_seconds=0.1, outbox_poll_interval_seconds=0.2
)


def _project(index: int) -> dict[str, Any]:
    # A methodology standards never published: the project is judged by the defaults.
    methodology = f"itest-unpublished-{uuid.uuid4().hex[:6]}"
    return project_created_data(f"Replica race {index:02d}", methodology=methodology)


async def _file_old_report(app: FastAPI, project_id: str, as_of: date) -> None:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    body = {"as_of": as_of.isoformat(), "percent_complete": 60, "actual_cost": 60000}
    async with asgi_client(app, "http://monitoring", headers=headers) as http:
        response = await http.post(f"/v1/projects/{project_id}/status-reports", json=body)
    assert response.status_code == 201, response.text


async def _announce_overdue(app: FastAPI, *, today: date) -> None:
    await announce_overdue_reports(app.state.runtime.sessions, today=today)


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


async def test_replicas_announce_each_missed_period_exactly_once(
    replicas: list[FastAPI], database: SharedDatabase, kafka_bootstrap: str
) -> None:
    projects = [_project(index) for index in range(PROJECTS)]
    project_ids = {data["project_id"] for data in projects}
    await produce_events(kafka_bootstrap, [project_created_event(data) for data in projects])

    async def all_projected() -> bool:
        query = (
            select(func.count())
            .select_from(monitored_projects)
            .where(monitored_projects.c.id.in_(project_ids))
        )
        return await database.count(query) == PROJECTS

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
        one_pass = partial(_announce_overdue, today=today)
        for _round in range(ROUNDS):
            await race(replicas, one_pass)

    expected = _expected_periods(projects, reported)
    assert len(expected) == 2 * PROJECTS  # two distinct periods per project

    # No replica that lost a claim wrote an event: one outbox row and one claim per period.
    assert await database.relayed(messaging.outbox, REPORT_OVERDUE) == len(expected)
    claims = await database.rows(
        select(overdue_announcements.c.project_id, overdue_announcements.c.period).where(
            overdue_announcements.c.project_id.in_(project_ids)
        )
    )
    assert {(row.project_id, row.period) for row in claims} == expected

    events = await events_about(kafka_bootstrap, REPORT_OVERDUE, project_ids)
    assert_once_each(
        events, lambda event: (event.data["project_id"], event.data["period"]), expected
    )
    for event in events:
        assert event.source == "/pmo/monitoring"
        assert event.subject == event.data["project_id"]


async def test_a_claim_waits_for_a_concurrent_one_and_then_yields_to_it(
    database: SharedDatabase,
) -> None:
    """ON CONFLICT DO NOTHING on PostgreSQL: the second claimer of a period gets False once the
    first commits, and True if the first rolls back — never both True."""
    for first_commits in (True, False):
        project_id = str(uuid.uuid4())
        claim = partial(
            overdue_claims.claim_overdue_period,
            project_id=project_id,
            period=6,
            due_date=TODAY,
            published_at=datetime.now(UTC),
        )
        got = await second_claim(database.engine, claim, first_commits=first_commits)
        assert got is (not first_commits)
        count = (
            select(func.count())
            .select_from(overdue_announcements)
            .where(overdue_announcements.c.project_id == project_id)
        )
        assert await database.count(count) == 1
