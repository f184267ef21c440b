"""Unacknowledged at-risk alerts climb their escalation ladder, one step at a time.

The ladder is driven with an explicit `now` (the job's own pass, `escalate_due_alerts`), so a
step an hour away is taken without waiting an hour; the app's own ladder job is off except in
the test that proves it runs. E-mails go through the real delivery job to a real SMTP server.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pmo_notifications.handlers import escalation_job
from pmo_notifications.handlers.escalation_job import escalate_due_alerts
from pmo_stack.testkit import eventually

SPONSOR = "grace@example.com"
MANAGER = "ada@example.com"
PMO_DESK = "pmo-desk@example.com"
OWNER = "carla.consultant@example.com"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def body_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


class Ladder:
    """The app with its ladder job off, and the steps taken at chosen instants."""

    def __init__(self, harness: Any) -> None:
        self.harness = harness
        self.client = harness.client
        self.admin = harness.auth()

    async def default_policy(self) -> dict[str, Any]:
        answer = await self.client.get("/v1/escalation-policies", headers=self.admin)
        [default] = [p for p in answer.json()["items"] if p["portfolio_id"] is None]
        policy: dict[str, Any] = default
        return policy

    async def set_default(self, levels: list[dict[str, Any]], repeat: int = 0) -> None:
        default = await self.default_policy()
        body = {"name": "Default", "portfolio_id": None, "levels": levels, "repeat": repeat}
        answer = await self.client.put(
            f"/v1/escalation-policies/{default['id']}", headers=self.admin, json=body
        )
        assert answer.status_code == 200, answer.text

    async def open_at_risk(self, payloads: Any, **changes: Any) -> dict[str, Any]:
        project_id = str(uuid.uuid4())
        await self.harness.apply("project.at_risk", payloads.at_risk(project_id, **changes))
        answer = await self.client.get(
            "/v1/alerts", headers=self.admin, params={"project_id": project_id}
        )
        [alert] = answer.json()["items"]
        found: dict[str, Any] = alert
        return found

    async def alert(self, alert_id: str) -> dict[str, Any]:
        answer = await self.client.get(f"/v1/alerts/{alert_id}", headers=self.admin)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def climb_at(self, now: datetime) -> int:
        settings = self.harness.runtime.settings
        return await escalate_due_alerts(
            self.harness.runtime.sessions, now=now, pmo_emails=settings.pmo_emails
        )

    async def escalated(self, alert_id: str) -> list[dict[str, Any]]:
        events = await self.harness.outbox_events("alert.escalated")
        return [event.data for event in events if event.data["alert_id"] == alert_id]

    async def escalation_mails_planned(self, project_id: str) -> list[str]:
        answer = await self.client.get(
            "/v1/deliveries",
            headers=self.admin,
            params={"project_id": project_id, "channel": "email"},
        )
        return sorted(
            item["target"]
            for item in answer.json()["items"]
            if item["event_type"] == "alert.escalated" and item["attempt"] == 1
        )


@pytest.fixture
async def ladder(run_notifications: Any) -> AsyncIterator[Ladder]:
    async with run_notifications(escalation_check_seconds=0, pmo_emails=(PMO_DESK,)) as harness:
        yield Ladder(harness)


SPONSOR_THEN_PMO = [
    {"after_seconds": 60, "notify": ["sponsor"]},
    {"after_seconds": 120, "notify": ["pmo"]},
]


async def test_an_unacknowledged_alert_tells_the_sponsor_then_the_pmo(
    ladder: Ladder, notifications_payloads: Any, smtp_sink: Any
) -> None:
    await ladder.set_default(SPONSOR_THEN_PMO)
    alert = await ladder.open_at_risk(notifications_payloads)
    opened = instant(alert["opened_at"])
    assert alert["escalation_level"] == 0
    assert instant(alert["next_escalation_at"]) == opened + timedelta(seconds=60)

    assert await ladder.climb_at(opened + timedelta(seconds=59)) == 0
    first = opened + timedelta(seconds=61)
    assert await ladder.climb_at(first) == 1
    assert await ladder.climb_at(first) == 0  # the step is taken once
    after_first = await ladder.alert(alert["id"])
    assert after_first["escalation_level"] == 1
    assert instant(after_first["next_escalation_at"]) == first + timedelta(seconds=120)
    mail = await smtp_sink.wait_for(lambda m: m["To"] == SPONSOR)
    assert mail["Subject"].startswith("[PMO] Escalation level 1: Project Apollo is at risk")
    text = body_of(mail)
    assert "has been open for 1 minute 1 second and nobody has acknowledged it" in text
    assert "level 1 of 2" in text
    assert "Cost performance index 0.82 is below the red threshold 0.90" in text
    assert f"Acknowledge the alert (id {alert['id']})" in text
    # The manager may be among those told: the e-mail names them without sending them to
    # themselves.
    assert f"Make sure someone is taking care of it; the project manager is {MANAGER}." in text
    assert "contact the project manager" not in text

    second = first + timedelta(seconds=121)
    assert await ladder.climb_at(second - timedelta(seconds=2)) == 0
    assert await ladder.climb_at(second) == 1
    top = await ladder.alert(alert["id"])
    assert (top["escalation_level"], top["next_escalation_at"]) == (2, None)
    await smtp_sink.wait_for(lambda m: m["To"] == PMO_DESK and "level 2" in m["Subject"])
    assert await ladder.climb_at(second + timedelta(days=1)) == 0

    events = await ladder.escalated(alert["id"])
    assert [(e["level"], e["notified"]) for e in events] == [(1, [SPONSOR]), (2, [PMO_DESK])]
    assert instant(events[0]["next_escalation_at"]) == first + timedelta(seconds=120)
    assert events[1]["next_escalation_at"] is None
    assert events[0]["status"] == "open" and events[0]["kind"] == "at_risk"
    planned = await ladder.escalation_mails_planned(alert["project_id"])
    assert planned == [SPONSOR, PMO_DESK]


async def test_acknowledging_stops_the_climb(ladder: Ladder, notifications_payloads: Any) -> None:
    await ladder.set_default(SPONSOR_THEN_PMO)
    alert = await ladder.open_at_risk(notifications_payloads)
    opened = instant(alert["opened_at"])
    assert await ladder.climb_at(opened + timedelta(seconds=61)) == 1

    answer = await ladder.client.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=ladder.admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["next_escalation_at"] is None
    stopped = await ladder.alert(alert["id"])
    assert (stopped["escalation_level"], stopped["next_escalation_at"]) == (1, None)
    assert await ladder.climb_at(opened + timedelta(days=3)) == 0
    assert [e["level"] for e in await ladder.escalated(alert["id"])] == [1]


async def test_resolving_an_alert_before_any_step_stops_it_too(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    alert = await ladder.open_at_risk(notifications_payloads)
    assert alert["next_escalation_at"] is not None  # the seeded default policy applies
    answer = await ladder.client.post(f"/v1/alerts/{alert['id']}/resolve", headers=ladder.admin)
    assert answer.status_code == 200, answer.text
    assert (await ladder.alert(alert["id"]))["next_escalation_at"] is None
    assert await ladder.climb_at(instant(alert["opened_at"]) + timedelta(days=3)) == 0


async def test_repeats_are_bounded(ladder: Ladder, notifications_payloads: Any) -> None:
    await ladder.set_default([{"after_seconds": 10, "notify": ["sponsor"]}], repeat=2)
    alert = await ladder.open_at_risk(notifications_payloads)
    now = instant(alert["opened_at"])
    for _step in range(6):
        now += timedelta(seconds=11)
        await ladder.climb_at(now)
    events = await ladder.escalated(alert["id"])
    assert [e["level"] for e in events] == [1, 1, 1]
    assert [e["next_escalation_at"] is None for e in events] == [False, False, True]
    assert (await ladder.alert(alert["id"]))["next_escalation_at"] is None
    assert await ladder.escalation_mails_planned(alert["project_id"]) == [SPONSOR] * 3


async def test_a_silenced_project_does_not_escalate_until_the_silence_is_gone(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    await ladder.set_default(SPONSOR_THEN_PMO)
    alert = await ladder.open_at_risk(notifications_payloads)
    opened = instant(alert["opened_at"])
    silence = await ladder.client.post(
        "/v1/silences",
        headers=ladder.admin,
        json={
            "project_id": alert["project_id"],
            "reason": "Re-baselining this week",
            "ends_at": (opened + timedelta(days=2)).isoformat(),
        },
    )
    assert silence.status_code == 201, silence.text

    due = opened + timedelta(seconds=61)
    assert await ladder.climb_at(due) == 0
    held = await ladder.alert(alert["id"])
    assert held["escalation_level"] == 0
    assert instant(held["next_escalation_at"]) == due + timedelta(minutes=5)
    assert await ladder.escalated(alert["id"]) == []
    assert await ladder.escalation_mails_planned(alert["project_id"]) == []

    gone = await ladder.client.delete(f"/v1/silences/{silence.json()['id']}", headers=ladder.admin)
    assert gone.status_code == 204
    assert await ladder.climb_at(due + timedelta(minutes=5)) == 1
    assert (await ladder.alert(alert["id"]))["escalation_level"] == 1
    assert await ladder.escalation_mails_planned(alert["project_id"]) == [SPONSOR]


async def test_without_any_policy_nothing_escalates(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    default = await ladder.default_policy()
    gone = await ladder.client.delete(
        f"/v1/escalation-policies/{default['id']}", headers=ladder.admin
    )
    assert gone.status_code == 204
    alert = await ladder.open_at_risk(notifications_payloads)
    assert (alert["escalation_level"], alert["next_escalation_at"]) == (0, None)


async def test_deleting_the_policy_ends_the_climb_of_its_alerts(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    alert = await ladder.open_at_risk(notifications_payloads)
    default = await ladder.default_policy()
    await ladder.client.delete(f"/v1/escalation-policies/{default['id']}", headers=ladder.admin)
    assert await ladder.climb_at(instant(alert["opened_at"]) + timedelta(days=1)) == 0
    assert (await ladder.alert(alert["id"]))["next_escalation_at"] is None


async def test_the_portfolio_policy_wins_over_the_default(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    portfolio_id = f"pf-{uuid.uuid4().hex[:8]}"
    body = {
        "name": "Board ladder",
        "portfolio_id": portfolio_id,
        "levels": [{"after_seconds": 30, "notify": ["Board@Example.com", "manager"]}],
    }
    created = await ladder.client.post("/v1/escalation-policies", headers=ladder.admin, json=body)
    assert created.status_code == 201, created.text
    alert = await ladder.open_at_risk(notifications_payloads, portfolio_id=portfolio_id)
    assert instant(alert["next_escalation_at"]) == instant(alert["opened_at"]) + timedelta(
        seconds=30
    )
    assert await ladder.climb_at(instant(alert["opened_at"]) + timedelta(seconds=31)) == 1
    [event] = await ladder.escalated(alert["id"])
    assert event["notified"] == ["Board@example.com", MANAGER]
    assert event["next_escalation_at"] is None


async def test_the_intervention_owner_is_told_while_the_case_is_open(
    ladder: Ladder, notifications_payloads: Any
) -> None:
    await ladder.set_default(
        [
            {"after_seconds": 10, "notify": ["intervention_owner", "manager"]},
            {"after_seconds": 10, "notify": ["intervention_owner"]},
        ]
    )
    alert = await ladder.open_at_risk(notifications_payloads)
    project_id = alert["project_id"]
    await ladder.harness.apply(
        "intervention.opened", notifications_payloads.opened(project_id, owner=None)
    )
    await ladder.harness.apply(
        "intervention.assigned", notifications_payloads.assigned(project_id, owner=OWNER)
    )
    now = instant(alert["opened_at"]) + timedelta(seconds=11)
    assert await ladder.climb_at(now) == 1
    await ladder.harness.apply("intervention.closed", notifications_payloads.closed(project_id))
    assert await ladder.climb_at(now + timedelta(seconds=11)) == 1
    events = await ladder.escalated(alert["id"])
    assert [e["notified"] for e in events] == [[OWNER, MANAGER], []]
    assert await ladder.escalation_mails_planned(project_id) == [MANAGER, OWNER]


async def test_webhook_subscribers_of_alert_escalated_receive_each_step(
    ladder: Ladder, notifications_payloads: Any, webhook_receiver: Any
) -> None:
    await ladder.set_default(SPONSOR_THEN_PMO)
    project_id = str(uuid.uuid4())
    await ladder.harness.subscribe_webhook(
        f"{webhook_receiver.url}/ladder", project_id, "alert.escalated"
    )
    await ladder.harness.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    alert = (
        await ladder.client.get(
            "/v1/alerts", headers=ladder.admin, params={"project_id": project_id}
        )
    ).json()["items"][0]
    assert await ladder.climb_at(instant(alert["opened_at"]) + timedelta(seconds=61)) == 1
    request = await webhook_receiver.wait_for()
    event = json.loads(request.body)
    assert (event["type"], event["subject"]) == ("alert.escalated", project_id)
    assert (event["data"]["level"], event["data"]["notified"]) == (1, [SPONSOR])


def start_up_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == escalation_job.__name__ and record.levelno == logging.WARNING
    ]


async def test_start_up_warns_when_the_pmo_level_would_tell_nobody(
    notifications: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert notifications.runtime.settings.pmo_emails == ()
    with caplog.at_level(logging.WARNING, logger=escalation_job.__name__):
        await escalation_job.warn_of_pmo_levels_telling_nobody(notifications.runtime)
    [warning] = start_up_warnings(caplog)
    # The seeded default tells the PMO at its second level.
    assert '"Default"' in warning
    assert "PMO_NOTIFICATIONS_PMO_EMAILS is empty: that level will e-mail nobody" in warning


async def test_start_up_is_quiet_when_the_pmo_has_addresses(
    ladder: Ladder, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=escalation_job.__name__):
        await escalation_job.warn_of_pmo_levels_telling_nobody(ladder.harness.runtime)
    assert start_up_warnings(caplog) == []


async def test_the_running_service_climbs_by_itself(
    run_notifications: Any, notifications_payloads: Any, smtp_sink: Any
) -> None:
    async with run_notifications(escalation_check_seconds=0.2) as harness:
        await Ladder(harness).set_default([{"after_seconds": 1, "notify": ["sponsor"]}])
        await harness.apply("project.at_risk", notifications_payloads.at_risk(str(uuid.uuid4())))
        mail = await smtp_sink.wait_for(lambda m: m["To"] == SPONSOR, timeout=15)
        assert "Escalation level 1" in mail["Subject"]

        async def escalated() -> list[Any] | None:
            return await harness.outbox_events("alert.escalated") or None

        [event] = await eventually(escalated, what="alert.escalated in the outbox")
        assert event.data["level"] == 1
