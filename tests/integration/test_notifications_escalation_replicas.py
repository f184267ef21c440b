"""Two notifications replicas on one PostgreSQL database take each escalation step once.

The replicas are two `create_app(settings)` instances in this process, each with its lifespan
running (its own ladder job every 0.2 s, its delivery job), sharing one real PostgreSQL database
(Kafka is off: the test reads what they wrote to the outbox). Several at-risk alerts are opened
through replica 0's event applier on a ladder of two levels repeated once (four steps each);
then both replicas climb at once — their own jobs plus rounds of concurrent explicit passes at
later instants. Every alert must have taken exactly four steps: four alert.escalated rows in the
outbox (levels 1, 2, 1, 2) and four e-mails planned (sponsor, PMO desk, sponsor, PMO desk).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import alerts, deliveries, messaging
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.handlers.escalation_job import escalate_due_alerts
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import TokenFactory
from pmo_stack.testkit.app_replicas import (
    SharedDatabase,
    database_fixture,
    race,
    replica_settings,
    running_replicas,
)
from pmo_stack.testkit.in_process import asgi_client
from pmo_stack.testkit.project_data import project_created_data
from sqlalchemy import select

pytestmark = pytest.mark.integration

ALERTS = 8
ROUNDS = 6
SPONSOR = "grace@example.com"
PMO_DESK = "pmo-desk@example.com"
ESCALATED = "alert.escalated"


database = database_fixture("notifications_escalation", migrate)


@pytest.fixture
async def replicas(
    database: SharedDatabase, smtp_sink: SmtpSink, tmp_path: Path
) -> AsyncIterator[list[FastAPI]]:
    """Two notifications apps with their lifespans (and ladder jobs) running on one database."""
    settings = replica_settings(
        NotificationsSettings,
        database,
        tmp_path,
        smtp=smtp_sink,
        escalation_check_seconds=0.2,
        pmo_emails=(PMO_DESK,),
    )
    async with running_replicas(create_app, settings) as apps:
        yield apps


async def _set_default_ladder(app: FastAPI) -> None:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    async with asgi_client(app, "http://notifications", headers=headers) as http:
        listed = await http.get("/v1/escalation-policies")
        [default] = [p for p in listed.json()["items"] if p["portfolio_id"] is None]
        body = {
            "name": "Default",
            "portfolio_id": None,
            "levels": [
                {"after_seconds": 1, "notify": ["sponsor"]},
                {"after_seconds": 1, "notify": ["pmo"]},
            ],
            "repeat": 1,
        }
        answer = await http.put(f"/v1/escalation-policies/{default['id']}", json=body)
    assert answer.status_code == 200, answer.text


async def _open_at_risk_alerts(app: FastAPI) -> set[str]:
    applier = app.state.runtime.applier
    project_ids: set[str] = set()
    for index in range(ALERTS):
        project = project_created_data(f"Ladder race {index:02d}")
        data = {
            "project_id": project["project_id"],
            "project_name": project["name"],
            "manager": project["manager"],
            "sponsor": SPONSOR,
            "rag": "red",
            "severity": "critical",
            "reasons": [{"code": "cpi_below_threshold", "message": "CPI 0.80 is below 0.90"}],
            "metrics": {"cpi": 0.8},
            "as_of": utc_now().date().isoformat(),
        }
        event = CloudEvent(
            source="/pmo/monitoring", type="project.at_risk", subject=data["project_id"], data=data
        )
        _outcome, failure = await applier.apply(event)
        assert failure is None, failure
        project_ids.add(data["project_id"])
    return project_ids


async def _escalate(app: FastAPI, *, now: datetime) -> None:
    await escalate_due_alerts(app.state.runtime.sessions, now=now, pmo_emails=(PMO_DESK,))


async def test_replicas_take_each_escalation_step_exactly_once(
    replicas: list[FastAPI], database: SharedDatabase
) -> None:
    await _set_default_ladder(replicas[0])
    project_ids = await _open_at_risk_alerts(replicas[0])

    # The replicas' own jobs climb in real time meanwhile; these rounds add concurrent passes
    # from both at instants far enough apart for every alert to be due at each.
    now = utc_now()
    for _round in range(ROUNDS):
        now += timedelta(seconds=5)
        await race(replicas, partial(_escalate, now=now))

    climbed = await database.rows(
        select(
            alerts.c.project_id,
            alerts.c.escalation_level,
            alerts.c.escalation_repeats,
            alerts.c.next_escalation_at,
        ).where(alerts.c.project_id.in_(project_ids)),
    )
    assert (
        sorted((level, repeats, due) for _p, level, repeats, due in climbed)
        == [(2, 1, None)] * ALERTS
    )

    outbox = messaging.outbox
    escalated = [
        CloudEvent.model_validate_json(payload)
        for (payload,) in await database.rows(
            select(outbox.c.payload).where(outbox.c.topic == ESCALATED).order_by(outbox.c.id),
        )
    ]
    levels: dict[str, list[int]] = {}
    for event in escalated:
        levels.setdefault(event.data["project_id"], []).append(event.data["level"])
    assert levels == {project_id: [1, 2, 1, 2] for project_id in project_ids}

    planned = await database.rows(
        select(deliveries.c.project_id, deliveries.c.target).where(
            deliveries.c.event_type == ESCALATED, deliveries.c.attempt == 1
        ),
    )
    per_target = Counter(planned)
    assert per_target == Counter(
        {(project_id, target): 2 for project_id in project_ids for target in (SPONSOR, PMO_DESK)}
    )
    assert len({event.id for event in escalated}) == 4 * ALERTS
