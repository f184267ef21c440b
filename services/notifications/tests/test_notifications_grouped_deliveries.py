"""Grouped deliveries (ADR 0017) through the app: subscriptions with a grouping window, events
waiting in their group, one signed `pmo.alert.group` webhook or one summary e-mail per group,
and the delivery log showing each event as `grouped` into that delivery.

The app runs in process on SQLite with its delivery job, a real webhook receiver and SMTP sink.
Windows are an hour long, so none ends by itself during a test; each test ends them by running
the group job's pass as of an hour later (`send_due_groups(due_by=...)`), except the one that
lets the app's own job send a one-second window.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.webhook_signature import sign_webhook
from pmo_notifications.handlers.group_sending import send_due_groups
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import ReceivedRequest, WebhookReceiver

PORTFOLIO = "pf-grouped"
HOUR = 3600
GROUP_TYPE = "pmo.alert.group"


@dataclass
class GroupingDesk:
    """The running app (`NotificationsHarness`) and the payload builders, driven as a portfolio
    whose projects turn red while a PMO admin's subscriptions group what they receive."""

    notifications: Any
    payloads: Any

    async def subscribe(self, channel: str, target: str, **fields: Any) -> dict[str, Any]:
        """A subscription to project.at_risk in PORTFOLIO, grouped for an hour (`fields`
        change that)."""
        body = {
            "channel": channel,
            "target": target,
            "event_types": ["project.at_risk"],
            "portfolio_id": PORTFOLIO,
            "group_wait_seconds": HOUR,
        } | fields
        answer = await self.notifications.client.post(
            "/v1/subscriptions", headers=self.notifications.auth(), json=body
        )
        assert answer.status_code == 201, answer.text
        subscription: dict[str, Any] = answer.json()
        return subscription

    async def turn_red(self, count: int, portfolio: str | None = PORTFOLIO) -> list[str]:
        """`count` projects of `portfolio` turn red; their ids."""
        project_ids = [str(uuid.uuid4()) for _ in range(count)]
        for index, project_id in enumerate(project_ids):
            payload = self.payloads.at_risk(
                project_id, project_name=f"Project {index:02d}", portfolio_id=portfolio
            )
            await self.notifications.apply("project.at_risk", payload)
        return project_ids

    async def end_windows(self, *, after: float = HOUR + 1) -> int:
        """The group job's pass as of `after` seconds from now; how many groups it sent."""
        due_by = utc_now() + timedelta(seconds=after)
        return await send_due_groups(self.notifications.runtime.sessions, due_by=due_by)

    async def log_of(self, subscription_id: str) -> list[dict[str, Any]]:
        """The delivery log's rows of one subscription, oldest first."""
        answer = await self.notifications.client.get(
            "/v1/deliveries", headers=self.notifications.auth(), params={"limit": 200}
        )
        assert answer.status_code == 200, answer.text
        rows = [row for row in answer.json()["items"] if row["subscription_id"] == subscription_id]
        return sorted(rows, key=lambda row: (row["created_at"], row["attempt"]))


@pytest.fixture
def desk(notifications: Any, notifications_payloads: Any) -> GroupingDesk:
    return GroupingDesk(notifications, notifications_payloads)


def group_event(request: ReceivedRequest) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(request.body)
    assert event["type"] == GROUP_TYPE, event["type"]
    return event


def signed_with(secret: str, request: ReceivedRequest) -> bool:
    headers = request.headers
    expected = sign_webhook(
        secret, headers["webhook-id"], int(headers["webhook-timestamp"]), request.body
    )
    return headers["webhook-signature"] == expected


async def test_a_burst_in_one_portfolio_reaches_a_grouped_webhook_as_one_signed_delivery(
    desk: GroupingDesk, webhook_receiver: WebhookReceiver
) -> None:
    subscription = await desk.subscribe("webhook", f"{webhook_receiver.url}/group")
    project_ids = await desk.turn_red(5)

    waiting = await desk.log_of(subscription["id"])
    assert [row["status"] for row in waiting] == ["grouped"] * 5
    assert {row["grouped_into"] for row in waiting} == {None}
    assert len({row["next_attempt_at"] for row in waiting}) == 1, "one window for the group"
    assert await desk.end_windows(after=0) == 0, "the window is an hour long"

    assert await desk.end_windows() == 1
    request = await webhook_receiver.wait_for(lambda r: r.path == "/group")
    assert signed_with(subscription["secret"], request)
    event = group_event(request)
    assert event["source"] == "/pmo/notifications"
    assert event["data"]["portfolio_id"] == PORTFOLIO
    alerts = event["data"]["alerts"]
    assert sorted(alert["project_id"] for alert in alerts) == sorted(project_ids)
    assert sorted(alert["project_name"] for alert in alerts) == [
        f"Project {i:02d}" for i in range(5)
    ]
    assert {(alert["type"], alert["severity"]) for alert in alerts} == {
        ("project.at_risk", "critical")
    }
    assert {alert["data"]["rag"] for alert in alerts} == {"red"}

    async def delivered() -> list[dict[str, Any]] | None:
        rows = await desk.log_of(subscription["id"])
        return rows if any(row["status"] == "delivered" for row in rows) else None

    rows = await eventually(delivered, what="the group's delivery to be recorded")
    [sent] = [row for row in rows if row["event_type"] == GROUP_TYPE]
    assert sent["message_id"] == request.headers["webhook-id"]
    members = [row for row in rows if row["status"] == "grouped"]
    assert sorted(row["project_id"] for row in members) == sorted(project_ids)
    assert {row["grouped_into"] for row in members} == {sent["message_id"]}
    assert await desk.end_windows() == 0, "a group goes out once"
    assert len([r for r in webhook_receiver.requests if r.path == "/group"]) == 1


async def test_each_portfolio_and_the_projects_without_one_form_their_own_groups(
    desk: GroupingDesk, webhook_receiver: WebhookReceiver
) -> None:
    # No portfolio filter: the subscription hears of every portfolio, one group for each.
    await desk.subscribe("webhook", f"{webhook_receiver.url}/all", portfolio_id=None)
    await desk.turn_red(2, PORTFOLIO)
    await desk.turn_red(3, "pf-other")
    await desk.turn_red(1, None)

    assert await desk.end_windows() == 3

    async def three() -> list[ReceivedRequest] | None:
        received = [r for r in webhook_receiver.requests if r.path == "/all"]
        return received if len(received) >= 3 else None

    groups = {
        event["data"]["portfolio_id"]: len(event["data"]["alerts"])
        for event in map(group_event, await eventually(three, what="three group deliveries"))
    }
    assert groups == {PORTFOLIO: 2, "pf-other": 3, None: 1}


async def test_a_grouped_email_subscription_receives_one_summary(
    desk: GroupingDesk, smtp_sink: SmtpSink
) -> None:
    reader = "portfolio-desk@example.com"
    await desk.subscribe("email", reader)
    await desk.turn_red(3)

    assert await desk.end_windows() == 1
    mail = await smtp_sink.wait_for(lambda m: m["To"] == reader)
    assert mail["Subject"] == f"[PMO] 3 notifications for portfolio {PORTFOLIO}"
    body = mail.get_content()
    for index in range(3):
        assert f"[critical] Project Project {index:02d} is at risk (red)" in body
    assert [m for m in smtp_sink.messages if m["To"] == reader] == [mail]


async def test_a_silenced_event_is_skipped_and_joins_no_group(
    desk: GroupingDesk, webhook_receiver: WebhookReceiver
) -> None:
    subscription = await desk.subscribe("webhook", f"{webhook_receiver.url}/quiet")
    notifications = desk.notifications
    body = {"portfolio_id": PORTFOLIO, "reason": "Re-baselining", "ends_at": _in(HOUR)}
    answer = await notifications.client.post(
        "/v1/silences", headers=notifications.auth(), json=body
    )
    assert answer.status_code == 201, answer.text
    await desk.turn_red(2)
    rows = await desk.log_of(subscription["id"])
    assert [(row["status"], row["error"]) for row in rows] == [("skipped", "silenced")] * 2

    lifted = await notifications.client.delete(
        f"/v1/silences/{answer.json()['id']}", headers=notifications.auth()
    )
    assert lifted.status_code == 204, lifted.text
    [heard] = await desk.turn_red(1)
    assert await desk.end_windows() == 1
    request = await webhook_receiver.wait_for(lambda r: r.path == "/quiet")
    assert [alert["project_id"] for alert in group_event(request)["data"]["alerts"]] == [heard]


async def test_events_after_a_send_wait_group_interval_after_it(
    desk: GroupingDesk, webhook_receiver: WebhookReceiver
) -> None:
    subscription = await desk.subscribe(
        "webhook", f"{webhook_receiver.url}/interval", group_interval_seconds=2 * HOUR
    )
    await desk.turn_red(1)
    before_send = utc_now()
    assert await desk.end_windows() == 1
    after_send = utc_now()
    await desk.turn_red(1)

    rows = await desk.log_of(subscription["id"])
    [waiting] = [row for row in rows if row["status"] == "grouped" and not row["grouped_into"]]
    due = datetime.fromisoformat(waiting["next_attempt_at"])
    interval = timedelta(seconds=2 * HOUR)
    assert before_send + interval <= due <= after_send + interval
    assert await desk.end_windows() == 0, "held back by the interval, not by the wait"
    assert await desk.end_windows(after=2 * HOUR + 1) == 1


async def test_the_apps_own_job_sends_a_group_when_its_wait_ends(
    run_notifications: Any, notifications_payloads: Any, webhook_receiver: WebhookReceiver
) -> None:
    async with run_notifications(group_check_seconds=0.05) as notifications:
        desk = GroupingDesk(notifications, notifications_payloads)
        await desk.subscribe("webhook", f"{webhook_receiver.url}/job", group_wait_seconds=1)
        [project_id] = await desk.turn_red(1)
        request = await webhook_receiver.wait_for(lambda r: r.path == "/job", timeout=20)
    [alert] = group_event(request)["data"]["alerts"]
    assert alert["project_id"] == project_id


async def test_a_group_whose_subscription_was_deleted_is_recorded_skipped(
    desk: GroupingDesk, webhook_receiver: WebhookReceiver
) -> None:
    subscription = await desk.subscribe("webhook", f"{webhook_receiver.url}/gone")
    await desk.turn_red(2)
    notifications = desk.notifications
    answer = await notifications.client.delete(
        f"/v1/subscriptions/{subscription['id']}", headers=notifications.auth()
    )
    assert answer.status_code == 204

    assert await desk.end_windows() == 1
    rows = await desk.log_of(subscription["id"])
    [sent] = [row for row in rows if row["event_type"] == GROUP_TYPE]
    assert (sent["status"], sent["error"]) == ("skipped", "the subscription was deleted")


def _in(seconds: float) -> str:
    return (utc_now() + timedelta(seconds=seconds)).isoformat()
