"""Standards' intervention events: an overdue recovery action opens one alert and reminds its
owner by e-mail (through the real SMTP server)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome

from .signal_events import two_actions_overdue

ACTION_OWNER = "grace@example.com"


def body_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def alerts_of(notifications: Any, project_id: str) -> list[dict[str, Any]]:
    answer = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def reminders_planned(notifications: Any, project_id: str) -> list[str]:
    answer = await notifications.client.get(
        "/v1/deliveries",
        headers=notifications.auth(),
        params={"project_id": project_id, "channel": "email"},
    )
    return [
        item["target"]
        for item in answer.json()["items"]
        if item["event_type"] == "intervention.action_overdue"
    ]


async def test_an_overdue_action_opens_one_alert_and_reminds_its_owner(
    notifications: Any, notifications_payloads: Any, smtp_sink: Any
) -> None:
    project_id = str(uuid.uuid4())
    payload = notifications_payloads.action_overdue(project_id)
    event = await notifications.apply("intervention.action_overdue", payload)

    [alert] = await alerts_of(notifications, project_id)
    assert (alert["kind"], alert["severity"], alert["status"]) == (
        "action_overdue",
        "warning",
        "open",
    )
    assert "Hire a second integration team" in alert["title"]
    assert alert["reasons"][0]["code"] == "action_overdue"
    assert alert["reasons"][0]["message"].startswith(
        'Recovery action "Hire a second integration team" (owner grace@example.com)'
    )
    assert alert["next_escalation_at"] is None  # only at-risk alerts climb a ladder
    mail = await smtp_sink.wait_for(lambda m: m["To"] == ACTION_OWNER)
    assert mail["Subject"] == (
        "[PMO] Recovery action overdue: Hire a second integration team (project Apollo)"
    )
    text = body_of(mail)
    assert "was due on Mar 10, 2026 and is 3 days overdue. You are its owner." in text
    assert "the project manager (ada@example.com)" in text
    assert "When it is done, mark it done on the project's intervention in the PMO tool." in text
    raised = await notifications.outbox_events("alert.raised")
    assert [e.data["kind"] for e in raised if e.data["project_id"] == project_id] == [
        "action_overdue"
    ]

    # The same event again, then the action signalled again by a new event: nothing more.
    assert await notifications.apply_event(event) == Outcome.DUPLICATE
    await notifications.apply("intervention.action_overdue", payload)
    later = notifications_payloads.action_overdue(project_id, days_overdue=4)
    await notifications.apply("intervention.action_overdue", later)
    assert len(await alerts_of(notifications, project_id)) == 1
    assert await reminders_planned(notifications, project_id) == [ACTION_OWNER]


async def test_closing_the_intervention_resolves_its_overdue_action_alerts(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    payloads = notifications_payloads
    await notifications.apply("project.at_risk", payloads.at_risk(project_id))
    await notifications.apply("intervention.opened", payloads.opened(project_id))
    for action_id in ("a-1", "a-2"):
        await notifications.apply(
            "intervention.action_overdue", payloads.action_overdue(project_id, action_id=action_id)
        )
    # The close of an older case of the project, told late, leaves the current case's alerts.
    long_ago = datetime(2026, 1, 5, tzinfo=UTC)
    older = payloads.closed(project_id, intervention_id="iv-older", closed_at=long_ago)
    await notifications.apply("intervention.closed", older)
    assert sorted(a["status"] for a in await alerts_of(notifications, project_id)) == ["open"] * 2

    await notifications.apply("intervention.closed", payloads.closed(project_id))
    by_kind = sorted(
        (a["kind"], a["status"], a["resolved_by"], a["resolution_note"])
        for a in await alerts_of(notifications, project_id)
    )
    assert by_kind == [
        ("action_overdue", "resolved", "system", "The intervention was closed"),
        ("at_risk", "open", None, None),  # the project itself is still at risk
    ]
    resolved = await notifications.outbox_events("alert.resolved")
    assert sum(e.data["project_id"] == project_id for e in resolved) == 1


async def test_overdue_actions_share_the_projects_one_alert_and_each_owner_is_reminded(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    await two_actions_overdue(notifications, notifications_payloads, project_id)
    (alert,) = await alerts_of(notifications, project_id)
    assert alert["kind"] == "action_overdue"
    assert alert["title"] == "Project Apollo: 2 recovery actions overdue"
    assert ["Re-plan" in r["message"] for r in alert["reasons"]] == [True, False]
    assert await reminders_planned(notifications, project_id) == [ACTION_OWNER] * 2


async def test_subscribers_may_follow_overdue_actions(
    notifications: Any, notifications_payloads: Any, webhook_receiver: Any
) -> None:
    project_id = str(uuid.uuid4())
    await notifications.subscribe_webhook(
        f"{webhook_receiver.url}/actions", project_id, "intervention.action_overdue"
    )
    await notifications.apply(
        "intervention.action_overdue",
        notifications_payloads.action_overdue(project_id),
        subject=project_id,
    )
    request = await webhook_receiver.wait_for()
    event = CloudEvent.model_validate_json(request.body)
    assert (event.type, event.subject) == ("intervention.action_overdue", project_id)
    assert event.data["action_owner"] == ACTION_OWNER
