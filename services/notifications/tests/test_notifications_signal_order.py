"""At-risk and recovered travel on two topics and may be replayed, so they may be consumed out of
order: a signal older than the newest one already applied for its project changes nothing.

Signals are ordered by (as_of, health_version), a missing version before any other, then by the
time they were sent."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome
from pmo_notifications.db.tables import deliveries
from sqlalchemy import select

SENT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
# Both signals judge the same report unless a test says otherwise: their versions (or, without
# versions, the times they were sent) decide which is newer.
REPORT = date(2026, 3, 9)


def signal(event_type: str, payload: Any, sent_at: datetime) -> CloudEvent:
    """The envelope monitoring would have sent at `sent_at`."""
    return CloudEvent(
        source="/pmo/monitoring",
        type=event_type,
        subject=payload.project_id,
        time=sent_at,
        data=payload.model_dump(mode="json"),
    )


def at_risk_signal(payloads: Any, project_id: str, *, seconds: int, **changes: Any) -> CloudEvent:
    """project.at_risk for the project, sent `seconds` after SENT (of REPORT unless changed)."""
    payload = payloads.at_risk(project_id, **({"as_of": REPORT} | changes))
    return signal("project.at_risk", payload, SENT + timedelta(seconds=seconds))


def recovered_signal(payloads: Any, project_id: str, *, seconds: int, **changes: Any) -> CloudEvent:
    """project.recovered for the project back to green, sent `seconds` after SENT (of REPORT
    unless changed): green resolves the at-risk alert (amber would keep it as a warning)."""
    payload = payloads.recovered(project_id, **({"as_of": REPORT, "rag": "green"} | changes))
    return signal("project.recovered", payload, SENT + timedelta(seconds=seconds))


def project_signals(
    payloads: Any, *, at_risk_at: int, recovered_at: int
) -> tuple[str, CloudEvent, CloudEvent]:
    """A new project's id, its at-risk and its recovered signal of one report (no versions),
    each sent that many seconds after SENT."""
    project_id = str(uuid.uuid4())
    at_risk = at_risk_signal(payloads, project_id, seconds=at_risk_at)
    return project_id, at_risk, recovered_signal(payloads, project_id, seconds=recovered_at)


async def planned_emails(notifications: Any, project_id: str) -> list[str]:
    """Which signals the e-mails planned for the project tell of, oldest first."""
    async with notifications.runtime.sessions() as session:
        rows = await session.execute(
            select(deliveries.c.subject)
            .where(deliveries.c.project_id == project_id, deliveries.c.channel == "email")
            .order_by(deliveries.c.created_at)
        )
        subjects = [row.subject for row in rows]
    return ["recovered" if "recovered" in subject.lower() else "at risk" for subject in subjects]


async def alerts_of(notifications: Any, project_id: str) -> list[dict[str, Any]]:
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_an_at_risk_older_than_the_recovery_already_applied_is_recorded_as_over(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id, at_risk, recovered = project_signals(
        notifications_payloads, at_risk_at=0, recovered_at=1
    )

    assert await notifications.apply_event(recovered) is Outcome.APPLIED
    assert await notifications.apply_event(at_risk) is Outcome.APPLIED

    (alert,) = await alerts_of(notifications, project_id)
    assert alert["status"] == "resolved"
    assert alert["resolution_note"] == (
        "The project had already recovered when this at-risk signal arrived"
    )
    assert await notifications.outbox_types("alert.") == ["alert.raised", "alert.resolved"]
    # The manager heard of the recovery; no "at risk" e-mail follows it.
    assert await planned_emails(notifications, project_id) == ["recovered"]

    # A newer at-risk signal (red again after the recovery) does open the alert.
    again = at_risk_signal(notifications_payloads, project_id, seconds=2)
    await notifications.apply_event(again)
    statuses = [alert["status"] for alert in await alerts_of(notifications, project_id)]
    assert statuses == ["open", "resolved"]


async def alert_statuses_after(notifications: Any, *events: CloudEvent) -> list[str]:
    """Apply the events in this order; the statuses of the project's alerts then."""
    for event in events:
        await notifications.apply_event(event)
    project_id = events[0].data["project_id"]
    return [alert["status"] for alert in await alerts_of(notifications, project_id)]


async def test_a_recovery_older_than_the_at_risk_already_applied_leaves_the_alert_open(
    notifications: Any, notifications_payloads: Any
) -> None:
    _, at_risk, recovered = project_signals(notifications_payloads, at_risk_at=1, recovered_at=0)
    assert await alert_statuses_after(notifications, at_risk, recovered) == ["open"]
    assert await notifications.outbox_types("alert.") == ["alert.raised"]


async def test_signals_in_order_still_open_and_resolve(
    notifications: Any, notifications_payloads: Any
) -> None:
    _, at_risk, recovered = project_signals(notifications_payloads, at_risk_at=0, recovered_at=1)
    assert await alert_statuses_after(notifications, at_risk, recovered) == ["resolved"]


# --- health versions: a replay or re-send is stale however late it was sent ---------------------


async def test_a_stale_at_risk_of_a_lower_version_leaves_no_alert_open_and_mails_nobody(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    recovered = recovered_signal(notifications_payloads, project_id, seconds=0, health_version=4)
    # Replayed from the dead letters an hour later: sent last, but of an older assessment.
    stale = at_risk_signal(notifications_payloads, project_id, seconds=3600, health_version=3)

    assert "open" not in await alert_statuses_after(notifications, recovered, stale)
    # Nothing is planned for the manager but the recovery: no "at risk" e-mail follows it.
    assert await planned_emails(notifications, project_id) == ["recovered"]


@pytest.mark.parametrize(
    ("at_risk", "statuses", "emails"),
    [
        # Sent a minute after the recovery, but without a version: older than version 4.
        ({"seconds": 60}, [], ["recovered"]),
        # Sent a minute before the recovery, of a newer assessment of the same report.
        ({"seconds": -60, "health_version": 5}, ["open"], ["recovered", "at risk"]),
        # A later report is newer whatever its version.
        (
            {"seconds": -60, "health_version": 2, "as_of": date(2026, 3, 16)},
            ["open"],
            ["recovered", "at risk"],
        ),
    ],
    ids=["no-version-is-older", "higher-version-sent-earlier", "later-report-lower-version"],
)
async def test_an_at_risk_after_a_recovery_of_version_4_applies_only_if_newer(
    notifications: Any,
    notifications_payloads: Any,
    at_risk: dict[str, Any],
    statuses: list[str],
    emails: list[str],
) -> None:
    project_id = str(uuid.uuid4())
    recovered = recovered_signal(notifications_payloads, project_id, seconds=0, health_version=4)
    late = at_risk_signal(notifications_payloads, project_id, **at_risk)
    assert "open" not in await alert_statuses_after(notifications, recovered)
    applied = await alert_statuses_after(notifications, late)
    assert [status for status in applied if status == "open"] == statuses
    assert await planned_emails(notifications, project_id) == emails
