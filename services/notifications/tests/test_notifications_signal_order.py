"""At-risk and recovered travel on two topics, so they may be consumed out of order: a signal
older than the newest one already applied for its project changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome
from pmo_notifications.db.tables import deliveries
from sqlalchemy import select

SENT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def signal(event_type: str, payload: Any, sent_at: datetime) -> CloudEvent:
    """The envelope monitoring would have sent at `sent_at`."""
    return CloudEvent(
        source="/pmo/monitoring",
        type=event_type,
        subject=payload.project_id,
        time=sent_at,
        data=payload.model_dump(mode="json"),
    )


def at_risk_signal(payloads: Any, project_id: str, *, seconds: int) -> CloudEvent:
    """project.at_risk for the project, sent `seconds` after SENT."""
    return signal(
        "project.at_risk", payloads.at_risk(project_id), SENT + timedelta(seconds=seconds)
    )


def recovered_signal(payloads: Any, project_id: str, *, seconds: int) -> CloudEvent:
    """project.recovered for the project, sent `seconds` after SENT."""
    return signal(
        "project.recovered", payloads.recovered(project_id), SENT + timedelta(seconds=seconds)
    )


def project_signals(
    payloads: Any, *, at_risk_at: int, recovered_at: int
) -> tuple[str, CloudEvent, CloudEvent]:
    """A new project's id, its at-risk and its recovered signal, each sent that many seconds
    after SENT."""
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


async def test_a_recovery_older_than_the_at_risk_already_applied_leaves_the_alert_open(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id, at_risk, recovered = project_signals(
        notifications_payloads, at_risk_at=1, recovered_at=0
    )

    await notifications.apply_event(at_risk)
    await notifications.apply_event(recovered)

    assert [alert["status"] for alert in await alerts_of(notifications, project_id)] == ["open"]
    assert await notifications.outbox_types("alert.") == ["alert.raised"]


async def test_signals_in_order_still_open_and_resolve(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id, at_risk, recovered = project_signals(
        notifications_payloads, at_risk_at=0, recovered_at=1
    )
    await notifications.apply_event(at_risk)
    await notifications.apply_event(recovered)
    assert [alert["status"] for alert in await alerts_of(notifications, project_id)] == ["resolved"]
