"""Missed status reports are announced once per missed period."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db import overdue_claim_repository as overdue_claims
from pmo_monitoring.handlers.overdue_detection import (
    announce_if_overdue,
    announce_overdue_reports,
)
from pmo_monitoring.main import create_app
from pmo_stack.testkit import eventually

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()


async def _check(app: FastAPI, days_ahead: int = 0) -> int:
    runtime = app.state.runtime
    return await announce_overdue_reports(
        runtime.sessions, today=TODAY + timedelta(days=days_ahead)
    )


async def test_overdue_report_is_announced_once_per_period(monitoring: Monitoring) -> None:
    silent = await monitoring.known_project(name="Silent")  # started 100 days ago, never reported
    await monitoring.known_project(name="Fresh", start_date=(TODAY - timedelta(days=2)).isoformat())
    assert await _check(monitoring.app) == 1
    assert await _check(monitoring.app) == 0
    events = [(t, e) for t, e in await monitoring.outbox() if t == "project.report_overdue"]
    assert len(events) == 1
    data = events[0][1]["data"]
    assert data["project_id"] == silent["project_id"]
    assert data["manager"] == silent["manager"]
    assert data["last_report_at"] is None
    assert data["due_date"] == (TODAY - timedelta(days=86)).isoformat()
    assert (data["days_overdue"], data["period"]) == (86, 6)

    assert await _check(monitoring.app, days_ahead=14) == 1  # the next period is missed too

    await monitoring.file_report(silent["project_id"], monitoring.report_body())
    assert await _check(monitoring.app) == 0


async def test_closed_projects_are_not_chased(monitoring: Monitoring) -> None:
    await monitoring.close_project(await monitoring.known_project())
    assert await _check(monitoring.app) == 0


async def test_a_period_claimed_elsewhere_is_not_announced_again(monitoring: Monitoring) -> None:
    """The (project, period) claim decides, whichever replica or pass gets there first."""
    project = await monitoring.known_project()
    runtime = monitoring.app.state.runtime
    async with runtime.sessions() as session:
        first = await announce_if_overdue(session, project_id=project["project_id"], today=TODAY)
        again = await announce_if_overdue(session, project_id=project["project_id"], today=TODAY)
    assert (first, again) == (True, False)
    assert await _check(monitoring.app) == 0
    async with runtime.sessions() as session:
        assert await overdue_claims.announced_periods(
            session, project_id=project["project_id"]
        ) == [6]
    assert [t for t, _ in await monitoring.outbox()].count("project.report_overdue") == 1


async def test_concurrent_checks_announce_each_period_once(monitoring: Monitoring) -> None:
    projects = [await monitoring.known_project(name=f"Silent {n}") for n in range(5)]
    counts = await asyncio.gather(*(_check(monitoring.app) for _ in range(4)))
    assert sum(counts) == len(projects)
    overdue = [e["data"] for t, e in await monitoring.outbox() if t == "project.report_overdue"]
    assert sorted(d["project_id"] for d in overdue) == sorted(p["project_id"] for p in projects)


async def test_a_report_filed_before_the_claim_is_seen(monitoring: Monitoring) -> None:
    """Each claim re-reads the project's reports, so a report just filed stops it."""
    project = await monitoring.known_project()
    await monitoring.file_report(project["project_id"], monitoring.report_body())
    runtime = monitoring.app.state.runtime
    async with runtime.sessions() as session:
        assert not await announce_if_overdue(session, project_id=project["project_id"], today=TODAY)
        assert not await announce_if_overdue(session, project_id="unknown-id", today=TODAY)


async def test_the_background_job_announces_and_can_be_turned_off(
    monitoring: Monitoring, monitoring_settings: MonitoringSettings
) -> None:
    silent = monitoring.project_data(name="Silent")
    for interval, expected in ((0.0, 0), (0.05, 1)):
        settings = monitoring_settings.model_copy(update={"overdue_check_seconds": interval})
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            event = CloudEvent(source="/pmo/test", type="project.created", data=silent)
            await app.state.runtime.applier.apply(event)
            if expected:
                await eventually(
                    lambda: _overdue_topics(monitoring), within=30, what="an overdue announcement"
                )
        assert len(await _overdue_topics(monitoring)) == expected


async def _overdue_topics(monitoring: Monitoring) -> list[str]:
    return [topic for topic in await monitoring.topics() if topic == "project.report_overdue"]
