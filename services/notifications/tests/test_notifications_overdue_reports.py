"""Overdue reports (ADR 0016): a project has at most one open overdue-report alert, whose count
of missed periods rises; one reminder per episode; a status report resolves it. The projection
keeps the latest health and report date the status reports tell."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pmo_notifications.db.projection_repository import get_project, health_changes_since

from .signal_events import SENT, ApolloSignals, alerts_of, apply_all, emails_to

LAST_REPORT = date(2026, 2, 1)


def new_apollo() -> ApolloSignals:
    return ApolloSignals(str(uuid.uuid4()))


async def test_missed_periods_count_on_one_alert_with_one_reminder(notifications: Any) -> None:
    apollo = new_apollo()
    await apply_all(
        notifications,
        apollo.overdue(period=3, last_report_at=LAST_REPORT, days=3),
        apollo.overdue(period=3, last_report_at=LAST_REPORT, days=3),  # told again
    )
    (alert,) = await alerts_of(notifications, apollo.project_id)
    assert alert["title"] == "Project Apollo: status report overdue by 3 days"

    # Two periods later (one the service never heard of): the same alert counts three.
    await apply_all(notifications, apollo.overdue(period=5, last_report_at=LAST_REPORT, days=31))
    (counted,) = await alerts_of(notifications, apollo.project_id)
    assert counted["id"] == alert["id"]
    assert counted["title"] == (
        "Project Apollo: status report overdue by 31 days (3 reporting periods missed)"
    )
    (reason,) = counted["reasons"]
    assert (reason["metric"], reason["value"]) == ("days_overdue", 31)
    assert "3 reporting periods have been missed" in reason["message"]
    assert await emails_to(notifications, apollo.project_id) == ["project.report_overdue"]


async def test_a_status_report_resolves_the_overdue_alert(notifications: Any) -> None:
    apollo = new_apollo()
    await apply_all(notifications, apollo.overdue(period=3, last_report_at=LAST_REPORT, days=3))
    # A report no newer than the one the overdue signal knew of cures nothing.
    await apply_all(notifications, apollo.reported(LAST_REPORT))
    (alert,) = await alerts_of(notifications, apollo.project_id)
    assert alert["status"] == "open"

    await apply_all(notifications, apollo.reported(date(2026, 2, 20), version=7, rag="amber"))
    (resolved,) = await alerts_of(notifications, apollo.project_id)
    assert resolved["status"] == "resolved"
    assert resolved["resolution_note"] == "A status report as of 2026-02-20 arrived"

    # An overdue signal sent before that report, delivered after it, opens nothing.
    await apply_all(notifications, apollo.overdue(period=4, last_report_at=LAST_REPORT, days=17))
    assert len(await alerts_of(notifications, apollo.project_id)) == 1

    # A period missed after that report opens a new alert, counting from one again.
    await apply_all(
        notifications, apollo.overdue(period=6, last_report_at=date(2026, 2, 20), days=4)
    )
    newest = (await alerts_of(notifications, apollo.project_id))[0]
    assert (newest["status"], newest["title"]) == (
        "open",
        "Project Apollo: status report overdue by 4 days",
    )


async def test_the_projection_keeps_the_latest_health_and_report_date(
    notifications: Any,
) -> None:
    apollo = new_apollo()
    await apply_all(
        notifications,
        apollo.changed("green", "amber", version=2),
        apollo.reported(date(2026, 3, 16), version=2, rag="amber"),
        # An older report told late: its date and health do not replace the newer ones.
        apollo.reported(date(2026, 3, 9), version=1, rag="green"),
        apollo.changed(None, "green", version=1),
    )
    async with notifications.runtime.sessions() as session:
        project = await get_project(session, project_id=apollo.project_id)
        changes = await health_changes_since(session, [apollo.project_id], SENT)
    assert project is not None
    assert (project.rag, project.last_report_at) == ("amber", date(2026, 3, 16))
    assert [reason.code for reason in project.reasons] == ["cpi_below_threshold"]
    assert project.metrics is not None and project.metrics["cpi"] == 0.93
    # Every change of colour is history, whatever order it arrived in.
    assert sorted((change.health_version, change.rag) for change in changes) == [
        (1, "green"),
        (2, "amber"),
    ]
    async with notifications.runtime.sessions() as session:
        assert await health_changes_since(session, [apollo.project_id], SENT.replace(hour=10)) == []
