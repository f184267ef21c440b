"""E-mail to the project's manager, through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from pmo_common.events.payloads import Reason
from pmo_notifications.channels.email_channel import EmailChannel
from pmo_notifications.domain.sending import OutgoingMessage
from pmo_stack.testkit import eventually

MANAGER = "ada@example.com"


def body_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_manager_is_emailed_with_reasons_without_any_subscription(
    notifications: Any,
    smtp_sink: Any,
    notifications_payloads: Any,
) -> None:
    project_id = str(uuid.uuid4())
    reasons = [
        notifications_payloads.cpi_reason(),
        Reason(
            code="milestone_late",
            message="Milestone 'Go-live' is 21 days late",
            metric="milestone_delay_days",
            value=21,
            threshold=14,
        ),
    ]
    started = time.monotonic()
    await notifications.apply(
        "project.at_risk",
        notifications_payloads.at_risk(
            project_id, project_name="Apollo ERP", manager=MANAGER, reasons=reasons
        ),
    )

    async def mail() -> Any:
        return next(iter(smtp_sink.messages), None)

    message = await eventually(mail, what="the manager's e-mail")
    assert time.monotonic() - started < 1.0, "delivery should not wait for a slow poll"
    assert message["To"] == MANAGER
    assert message["From"] == "pmo@example.com"
    assert message["Subject"] == "[PMO] Project Apollo ERP is at risk (red)"
    assert message["Message-ID"].startswith("<msg_")
    text = body_of(message)
    assert "Project Apollo ERP is now RED" in text
    assert "Cost performance index 0.82 is below the red threshold 0.90" in text
    assert "Milestone 'Go-live' is 21 days late" in text
    assert "Cost performance index (CPI): 0.82" in text
    assert "What to do next" in text

    async def delivered() -> Any:
        answer = await notifications.client.get(
            "/v1/deliveries", headers=notifications.auth(), params={"project_id": project_id}
        )
        items = answer.json()["items"]
        return items if items and items[0]["status"] == "delivered" else None

    rows = await eventually(delivered, what="the delivery row")
    assert [(r["channel"], r["target"], r["attempt"]) for r in rows] == [("email", MANAGER, 1)]
    assert rows[0]["alert_id"] is not None
    events = await notifications.outbox_events("notification.delivered")
    assert events[0].data["channel"] == "email" and events[0].data["target"] == MANAGER


async def test_recovery_emails_the_manager_that_the_project_recovered(
    notifications: Any,
    smtp_sink: Any,
    notifications_payloads: Any,
) -> None:
    project_id = str(uuid.uuid4())
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    await notifications.apply("project.recovered", notifications_payloads.recovered(project_id))

    async def two_mails() -> Any:
        messages = smtp_sink.messages
        return messages if len(messages) == 2 else None

    messages = await eventually(two_mails, what="both e-mails")
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert subjects == [
        "[PMO] Project Apollo has recovered (amber)",
        "[PMO] Project Apollo is at risk (red)",
    ]
    recovery = next(m for m in messages if "recovered" in str(m["Subject"]))
    assert "has recovered" in body_of(recovery)


async def test_a_silence_records_skipped_deliveries_and_sends_nothing(
    notifications: Any,
    smtp_sink: Any,
    notifications_payloads: Any,
) -> None:
    project_id = str(uuid.uuid4())
    ends_at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    silence = await notifications.client.post(
        "/v1/silences",
        headers=await notifications.manager_of_project(project_id),
        json={"project_id": project_id, "reason": "Planned re-baseline", "ends_at": ends_at},
    )
    assert silence.status_code == 201, silence.text
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))

    alerts = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    assert len(alerts.json()["items"]) == 1, "the alert is still recorded"
    rows = (
        await notifications.client.get(
            "/v1/deliveries", headers=notifications.auth(), params={"project_id": project_id}
        )
    ).json()["items"]
    assert [(r["status"], r["error"]) for r in rows] == [("skipped", "silenced")]

    # Deleting the silence lets the next signal through.
    deleted = await notifications.client.delete(
        f"/v1/silences/{silence.json()['id']}", headers=notifications.auth()
    )
    assert deleted.status_code == 204
    await notifications.apply(
        "project.report_overdue", notifications_payloads.overdue(project_id, period=1)
    )
    message = await eventually(lambda: _first(smtp_sink.messages), what="the overdue reminder")
    assert "overdue" in str(message["Subject"]).lower()
    assert len(smtp_sink.messages) == 1


async def _first(items: list[Any]) -> Any:
    return items[0] if items else None


class _RefusingHandler:
    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        return "550 5.1.1 No such mailbox here"


async def test_smtp_refusals_are_permanent_and_an_absent_server_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_RefusingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        refused = await EmailChannel(host="127.0.0.1", port=port, sender="pmo@example.com").send(
            OutgoingMessage(target="nobody@example.com", subject="s", body="b", message_id="msg_1")
        )
    finally:
        controller.stop()
    assert not refused.delivered and not refused.retryable
    assert refused.error is not None and "nobody@example.com" in refused.error

    absent = await EmailChannel(
        host="127.0.0.1", port=port, sender="pmo@example.com", timeout=2
    ).send(OutgoingMessage(target="ada@example.com", subject="s", body="b", message_id="msg_2"))
    assert not absent.delivered and absent.retryable
    assert absent.error is not None and "could not talk to the SMTP server" in absent.error
