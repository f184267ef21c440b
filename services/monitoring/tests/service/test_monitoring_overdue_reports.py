"""Missed status reports are announced once per missed period."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.handlers.overdue_detection import announce_overdue_reports

AuthHeader = Callable[..., dict[str, str]]
Factory = Callable[..., dict[str, Any]]
KnownProject = Callable[..., Awaitable[dict[str, Any]]]
Deliver = Callable[..., Awaitable[Outcome]]
Outbox = Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]]

TODAY = datetime.now(UTC).date()


async def _check(app: FastAPI, days_ahead: int = 0) -> int:
    runtime = app.state.runtime
    async with runtime.sessions() as session:
        count = await announce_overdue_reports(
            session, runtime.emit, today=TODAY + timedelta(days=days_ahead)
        )
        await session.commit()
    return count


async def test_overdue_report_is_announced_once_per_period(
    monitoring_app: FastAPI,
    client: httpx.AsyncClient,
    known_project: KnownProject,
    report_body: Factory,
    auth_header: AuthHeader,
    outbox: Outbox,
) -> None:
    silent = await known_project(name="Silent")  # started 100 days ago, never reported
    await known_project(name="Fresh", start_date=(TODAY - timedelta(days=2)).isoformat())
    assert await _check(monitoring_app) == 1
    assert await _check(monitoring_app) == 0
    events = [(t, e) for t, e in await outbox() if t == "project.report_overdue"]
    assert len(events) == 1
    data = events[0][1]["data"]
    assert data["project_id"] == silent["project_id"]
    assert data["manager"] == silent["manager"]
    assert data["last_report_at"] is None
    assert data["due_date"] == (TODAY - timedelta(days=86)).isoformat()
    assert (data["days_overdue"], data["period"]) == (86, 6)

    assert await _check(monitoring_app, days_ahead=14) == 1  # the next period is missed too

    response = await client.post(
        f"/v1/projects/{silent['project_id']}/status-reports",
        json=report_body(),
        headers=auth_header(),
    )
    assert response.status_code == 201
    assert await _check(monitoring_app) == 0


async def test_closed_projects_are_not_chased(
    monitoring_app: FastAPI, deliver: Deliver, known_project: KnownProject
) -> None:
    project = await known_project()
    closed = {
        "project_id": project["project_id"],
        "name": project["name"],
        "closed_at": datetime.now(UTC).isoformat(),
        "version": 2,
    }
    await deliver("project.closed", closed)
    assert await _check(monitoring_app) == 0
