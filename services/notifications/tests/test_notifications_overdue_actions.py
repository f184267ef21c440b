"""Overdue recovery actions (ADR 0016): one open `action_overdue` alert per project, one reason
per overdue action; a done action leaves it, and the last one resolves it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.payloads import ActionDone

from .signal_events import alerts_of, two_actions_overdue


async def done(notifications: Any, project_id: str, action_id: str) -> None:
    payload = ActionDone(
        project_id=project_id,
        project_name="Apollo",
        manager="ada@example.com",
        intervention_id=f"iv-{project_id}",
        action_id=action_id,
        done_at=datetime(2026, 3, 20, tzinfo=UTC),
    )
    # Through the consumer, as standards' intervention.action_done arrives.
    await notifications.apply("intervention.action_done", payload)


async def test_done_actions_leave_the_alert_and_the_last_resolves_it(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    await two_actions_overdue(notifications, notifications_payloads, project_id)

    await done(notifications, project_id, "a-1")
    (alert,) = await alerts_of(notifications, project_id)
    assert alert["status"] == "open"
    assert alert["title"] == "Project Apollo: 1 recovery action overdue"
    assert ["Freeze the scope" in reason["message"] for reason in alert["reasons"]] == [True]

    await done(notifications, project_id, "a-1")  # told again: nothing more
    await done(notifications, project_id, "a-2")
    (resolved,) = await alerts_of(notifications, project_id)
    assert (resolved["status"], resolved["resolution_note"]) == (
        "resolved",
        "Every overdue recovery action was done",
    )

    # An action done long ago and signalled overdue again opens nothing: it was alerted once.
    await notifications.apply(
        "intervention.action_overdue",
        notifications_payloads.action_overdue(project_id, action_id="a-1"),
    )
    assert len(await alerts_of(notifications, project_id)) == 1


async def test_an_action_done_before_its_overdue_signal_arrives_opens_nothing(
    notifications: Any, notifications_payloads: Any
) -> None:
    # Standards announced the action overdue, then it was done a second later; the two events
    # travel on two topics and the done one is applied first.
    project_id = str(uuid.uuid4())
    await done(notifications, project_id, "a-late")
    await notifications.apply(
        "intervention.action_overdue",
        notifications_payloads.action_overdue(project_id, action_id="a-late"),
    )
    assert await alerts_of(notifications, project_id) == []
