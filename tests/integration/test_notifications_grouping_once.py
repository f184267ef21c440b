"""A group of deliveries goes out exactly once, across a restart and across replicas (ADR 0017).

Notifications runs in this process (`create_app(settings)` with its lifespan: delivery job,
group job) on a real PostgreSQL database, with a real webhook receiver and SMTP sink; Kafka is
off and the events go through the app's own event applier, as its consumer applies them. A
PMO admin's webhook subscription groups a portfolio's project.at_risk with an hour's wait, so
no window ends by itself during a test: the test ends it by running the group job's pass as of
an hour later, several at once.

- Restart: 10 of 20 red projects reach the first incarnation of the app, which is stopped in
  the middle of the window; the other 10 reach the app started again. The receiver gets one
  `pmo.alert.group` listing the 20, once.
- Replicas: two apps on one database hear 10 each; four passes race (two per replica) to send
  the group. One delivery is planned, the receiver gets it once, with the 20.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import deliveries
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.handlers.group_sending import send_due_groups
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import TokenFactory
from pmo_stack.testkit.app_replicas import (
    SharedDatabase,
    database_fixture,
    replica_settings,
    running_replicas,
)
from pmo_stack.testkit.in_process import asgi_client, running
from pmo_stack.testkit.waiting import eventually
from pmo_stack.webhook_receiver import ReceivedRequest, WebhookReceiver
from sqlalchemy import func, select

pytestmark = pytest.mark.integration

PORTFOLIO = "pf-replan"
PROJECTS = 20
HOUR = 3600
GROUP = "pmo.alert.group"
PATH = "/grouped"

database = database_fixture("notifications_grouping", migrate)


def settings_of(
    database: SharedDatabase, smtp_sink: SmtpSink, data_dir: Path, count: int
) -> list[NotificationsSettings]:
    return replica_settings(
        NotificationsSettings,
        database,
        data_dir,
        count=count,
        smtp=smtp_sink,
        webhook_allow_private=True,
        group_check_seconds=0.2,
    )


async def subscribe(app: FastAPI, receiver: WebhookReceiver) -> None:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    body = {
        "channel": "webhook",
        "target": f"{receiver.url}{PATH}",
        "event_types": ["project.at_risk"],
        "portfolio_id": PORTFOLIO,
        "group_wait_seconds": HOUR,
    }
    async with asgi_client(app, "http://notifications", headers=headers) as http:
        answer = await http.post("/v1/subscriptions", json=body)
    assert answer.status_code == 201, answer.text


async def turn_red(app: FastAPI, project_ids: Sequence[str]) -> None:
    """Each project of the portfolio turns red, as monitoring's project.at_risk tells it."""
    applier = app.state.runtime.applier
    for project_id in project_ids:
        data = {
            "project_id": project_id,
            "project_name": f"Re-plan {project_id[:8]}",
            "manager": "ada@example.com",
            "portfolio_id": PORTFOLIO,
            "rag": "red",
            "severity": "critical",
            "reasons": [{"code": "spi_below_threshold", "message": "SPI 0.81 is below 0.90"}],
            "metrics": {"spi": 0.81},
            "as_of": date.today().isoformat(),
        }
        event = CloudEvent(
            source="/pmo/monitoring", type="project.at_risk", subject=project_id, data=data
        )
        _outcome, failure = await applier.apply(event)
        assert failure is None, failure


async def waiting_in_groups(database: SharedDatabase) -> tuple[int, int]:
    """(events waiting in a group, groups they wait in)."""
    waiting = deliveries.c.status == "grouped", deliveries.c.grouped_into.is_(None)
    events = await database.count(select(func.count()).select_from(deliveries).where(*waiting))
    groups = await database.count(
        select(func.count(deliveries.c.group_id.distinct())).where(*waiting)
    )
    return events, groups


async def end_window(apps: Sequence[FastAPI]) -> int:
    """Two passes of the group job per app at once, as of an hour later; groups sent in all."""
    due_by = utc_now() + timedelta(seconds=HOUR + 1)
    passes = [
        send_due_groups(app.state.runtime.sessions, due_by=due_by) for app in apps for _ in (1, 2)
    ]
    return sum(await asyncio.gather(*passes))


async def received_once(receiver: WebhookReceiver, database: SharedDatabase) -> dict[str, Any]:
    """The group's CloudEvent, once its delivery is recorded delivered and the receiver has
    exactly one request (nothing is left to send after a delivered attempt)."""
    group_rows = select(deliveries.c.status).where(deliveries.c.event_type == GROUP)

    async def delivered() -> bool:
        return [status for (status,) in await database.rows(group_rows)] == ["delivered"]

    await eventually(delivered, what="the group's one delivery to be delivered", within=60)
    received = [request for request in receiver.requests if request.path == PATH]
    assert len(received) == 1, f"the group reached the receiver {len(received)} times"
    return _group_event(received[0])


def _group_event(request: ReceivedRequest) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(request.body)
    assert event["type"] == GROUP
    return event


def _projects(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


async def test_a_restart_in_the_middle_of_the_window_sends_the_group_once(
    database: SharedDatabase, smtp_sink: SmtpSink, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    [settings] = settings_of(database, smtp_sink, tmp_path, count=1)
    before, after = _projects(PROJECTS // 2), _projects(PROJECTS // 2)
    async with running(create_app(settings)) as first:
        await subscribe(first, webhook_receiver)
        await turn_red(first, before)
        assert await waiting_in_groups(database) == (PROJECTS // 2, 1)
    # Stopped with the window open: its events wait in the database, nothing was sent.
    assert not [request for request in webhook_receiver.requests if request.path == PATH]

    async with running(create_app(settings)) as again:
        await turn_red(again, after)
        assert await waiting_in_groups(database) == (PROJECTS, 1)
        assert await end_window([again]) == 1
        event = await received_once(webhook_receiver, database)
        assert await end_window([again]) == 0
    assert event["data"]["portfolio_id"] == PORTFOLIO
    listed = sorted(alert["project_id"] for alert in event["data"]["alerts"])
    assert listed == sorted(before + after)
    assert await waiting_in_groups(database) == (0, 0)


async def test_two_replicas_send_a_group_once(
    database: SharedDatabase, smtp_sink: SmtpSink, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    settings = settings_of(database, smtp_sink, tmp_path, count=2)
    project_ids = _projects(PROJECTS)
    async with running_replicas(create_app, settings) as replicas:
        await subscribe(replicas[0], webhook_receiver)
        await turn_red(replicas[0], project_ids[::2])
        await turn_red(replicas[1], project_ids[1::2])
        assert await waiting_in_groups(database) == (PROJECTS, 1)

        assert await end_window(replicas) == 1
        event = await received_once(webhook_receiver, database)
        assert await end_window(replicas) == 0
    listed = sorted(alert["project_id"] for alert in event["data"]["alerts"])
    assert listed == sorted(project_ids)
    planned = select(func.count()).select_from(deliveries).where(deliveries.c.event_type == GROUP)
    assert await database.count(planned) == 1
