"""The product's core story: a project slips into the red and its manager hears why, once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

MANAGER = "ada.lovelace@example.com"
TODAY = datetime.now(UTC).date()


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Check a Standard Webhooks signature independently of the service's code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if "," in s]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def report(percent: float, cost: float, rag: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "as_of": TODAY.isoformat(),
        "percent_complete": percent,
        "actual_cost": cost,
        "summary": "Weekly status",
    }
    if rag:
        body["manager_rag"] = rag
    return body


def webhooks_of(stack: Any, event_type: str, project_id: str) -> list[Any]:
    found = []
    for request in stack.webhooks.requests:
        event = json.loads(request.body)
        if event.get("type") == event_type and event.get("subject") == project_id:
            found.append(request)
    return found


def mails_to(stack: Any, address: str, subject_word: str) -> list[EmailMessage]:
    return [
        m
        for m in stack.smtp.messages
        if address in str(m["To"]) and subject_word.lower() in str(m["Subject"]).lower()
    ]


async def test_at_risk_project_reaches_its_manager_exactly_once(
    running_stack: Any, token_for: Callable[..., dict[str, str]], http: httpx.AsyncClient
) -> None:
    admin = token_for("pmo_admin", "pmo-admin@example.com")
    manager = token_for("project_manager", MANAGER)
    intake = running_stack.url("intake")
    monitoring = running_stack.url("monitoring")
    notifications = running_stack.url("notifications")

    created = await http.post(
        f"{intake}/v1/projects",
        headers=admin,
        json=halfway_project_body(
            "Apollo ERP rollout", MANAGER, sponsor="grace.hopper@example.com"
        ),
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    reports_url = f"{monitoring}/v1/projects/{project_id}/status-reports"

    async def monitoring_knows() -> dict[str, Any] | None:
        answer = await http.get(f"{monitoring}/v1/projects/{project_id}/health", headers=manager)
        return answer.json() if answer.status_code == 200 else None

    health = await eventually(monitoring_knows, what="monitoring to hear of the project")
    # Started 100 days ago and never reported: overdue (amber) at worst, not at risk.
    assert health["at_risk"] is False

    subscription = await http.post(
        f"{notifications}/v1/subscriptions",
        headers=admin,
        json={
            "channel": "webhook",
            "target": f"{running_stack.webhooks.url}/pmo-hook",
            "event_types": ["project.at_risk", "project.recovered"],
            "project_id": project_id,
        },
    )
    assert subscription.status_code == 201, subscription.text
    secret = subscription.json()["secret"]
    assert secret.startswith("whsec_")

    # Notifications crashes: the at-risk event must wait in Kafka, not be lost.
    notifications_process = running_stack.stack.services["notifications"]
    notifications_process.kill()

    posted_at = time.monotonic()
    red = await http.post(reports_url, headers=manager, json=report(percent=30, cost=50000))
    assert red.status_code == 201, red.text
    health = (
        await http.get(f"{monitoring}/v1/projects/{project_id}/health", headers=manager)
    ).json()
    assert health["rag"] == "red"
    assert health["at_risk"] is True
    codes = {reason["code"] for reason in health["reasons"]}
    assert any("cpi" in code for code in codes), codes
    assert health["metrics"]["cpi"] == pytest.approx(0.6, abs=0.01)

    notifications_process.restart()

    async def open_alert() -> dict[str, Any] | None:
        answer = await http.get(
            f"{notifications}/v1/alerts", headers=manager, params={"project_id": project_id}
        )
        items = answer.json()["items"] if answer.status_code == 200 else []
        # The never-reported project may have a report_overdue alert, and its at-risk alert may
        # have opened as a warning while amber (overdue): this one is raised to critical.
        at_risk = [a for a in items if a["kind"] == "at_risk" and a["severity"] == "critical"]
        return at_risk[0] if at_risk else None

    alert = await eventually(open_alert, what="the alert to open")
    assert alert["status"] == "open"
    assert alert["severity"] == "critical"

    mail = await running_stack.smtp.wait_for(
        lambda m: MANAGER in str(m["To"]) and "risk" in str(m["Subject"]).lower(), timeout=20
    )
    mail_text = mail.get_body(preferencelist=("plain",))
    assert mail_text is not None
    assert "Apollo ERP rollout" in mail_text.get_content()

    async def signed_delivery() -> Any:
        found = webhooks_of(running_stack, "project.at_risk", project_id)
        return found[0] if found else None

    delivery = await eventually(signed_delivery, what="the at-risk webhook")
    latency = delivery.received_monotonic - posted_at
    print(f"\nstatus report -> webhook delivery (with a notifications restart): {latency:.2f}s")
    assert verify_standard_webhook(secret, delivery.headers, delivery.body)
    assert json.loads(delivery.body)["data"]["rag"] == "red"

    # Still red: nothing new is published, so still one alert, one mail, one webhook.
    still_red = await http.post(reports_url, headers=manager, json=report(percent=31, cost=51000))
    assert still_red.status_code == 201

    # Back on track (same as_of replaces the earlier report, with figures no lower than it):
    # the alert resolves.
    recovered_posted_at = time.monotonic()
    healthy = await http.post(reports_url, headers=manager, json=report(percent=55, cost=52000))
    assert healthy.status_code == 201, healthy.text

    async def resolved_alert() -> dict[str, Any] | None:
        answer = await http.get(f"{notifications}/v1/alerts/{alert['id']}", headers=manager)
        body = answer.json()
        return body if body.get("status") == "resolved" else None

    await eventually(resolved_alert, what="the alert to resolve")
    recovered = await eventually(
        lambda: _first(webhooks_of(running_stack, "project.recovered", project_id)),
        what="the recovered webhook",
    )
    steady_latency = recovered.received_monotonic - recovered_posted_at
    print(f"status report -> webhook delivery (steady state): {steady_latency:.2f}s")
    assert verify_standard_webhook(secret, recovered.headers, recovered.body)

    alerts = await http.get(
        f"{notifications}/v1/alerts", headers=admin, params={"project_id": project_id}
    )
    assert [a["kind"] for a in alerts.json()["items"]].count("at_risk") == 1
    assert len(webhooks_of(running_stack, "project.at_risk", project_id)) == 1
    assert len(mails_to(running_stack, MANAGER, "risk")) == 1


async def _first(items: list[Any]) -> Any:
    return items[0] if items else None
