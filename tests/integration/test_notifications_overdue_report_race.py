"""A status report and the overdue signal it answers, applied at once by two notifications
replicas on one PostgreSQL database, never leave an overdue-report alert open (ADR 0016).

Monitoring sent the overdue signal before the report arrived (it knew of an older report), but
the two travel on two topics and may be consumed at the same moment. Whichever transaction
takes the project's projection row first, the other sees it: the report waits for the overdue
alert to commit and resolves it, or the overdue signal sees the newer report and opens nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import alerts
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit.app_replicas import (
    SharedDatabase,
    database_fixture,
    replica_settings,
    running_replicas,
)
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from sqlalchemy import select

pytestmark = pytest.mark.integration

PROJECTS = 24
LAST_REPORT = date(2026, 2, 1)
NEW_REPORT = date(2026, 2, 20)

database = database_fixture("notifications_overdue_race", migrate)


@pytest.fixture
async def replicas(
    database: SharedDatabase, smtp_sink: SmtpSink, tmp_path: Path
) -> AsyncIterator[list[FastAPI]]:
    settings = replica_settings(NotificationsSettings, database, tmp_path, smtp=smtp_sink)
    async with running_replicas(create_app, settings) as apps:
        yield apps


async def _apply(app: FastAPI, event: CloudEvent) -> None:
    _outcome, failure = await app.state.runtime.applier.apply(event)
    assert failure is None, failure


def _event(event_type: str, project: dict[str, Any], data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        source="/pmo/monitoring",
        type=event_type,
        subject=project["project_id"],
        data={"project_id": project["project_id"], **data},
    )


def _overdue(project: dict[str, Any]) -> CloudEvent:
    return _event(
        "project.report_overdue",
        project,
        {
            "project_name": project["name"],
            "manager": project["manager"],
            "last_report_at": LAST_REPORT.isoformat(),
            "due_date": "2026-02-15",
            "days_overdue": 3,
            "period": 3,
        },
    )


def _reported(project: dict[str, Any]) -> CloudEvent:
    return _event(
        "project.status_reported",
        project,
        {
            "report_id": f"r-{project['project_id']}",
            "as_of": NEW_REPORT.isoformat(),
            "percent_complete": 50,
            "actual_cost": 50000,
        },
    )


async def test_a_report_and_its_overdue_signal_at_once_leave_no_overdue_alert_open(
    replicas: list[FastAPI], database: SharedDatabase
) -> None:
    projects = [project_created_data(f"Overdue race {index:02d}") for index in range(PROJECTS)]
    for project in projects:
        await _apply(replicas[0], project_created_event(project))

    # Each project's two events on the two replicas at once, alternating which gets which.
    await asyncio.gather(
        *(
            _apply(replicas[(index + turn) % 2], event)
            for index, project in enumerate(projects)
            for turn, event in enumerate((_overdue(project), _reported(project)))
        )
    )

    rows = await database.rows(
        select(alerts.c.project_id, alerts.c.status).where(alerts.c.kind == "report_overdue")
    )
    assert [tuple(row) for row in rows if row.status != "resolved"] == []
