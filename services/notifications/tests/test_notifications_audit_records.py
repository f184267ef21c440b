"""Notifications' audit trail: each change made through the API leaves a record of who
(subject, e-mail, roles), what (action, resource, each changed field before and after) and which
request (its X-Correlation-ID), read by PMO admins only on GET /v1/audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ADMIN = "pmo@example.com"


async def audit_of(notifications: Any, resource_id: str) -> list[dict[str, Any]]:
    """The resource's audit records, oldest first."""
    answer = await notifications.client.get(
        "/v1/audit", headers=notifications.auth(), params={"resource_id": resource_id}
    )
    assert answer.status_code == 200, answer.text
    return list(reversed(answer.json()["items"]))


async def test_a_subscription_created_and_deleted_is_audited_without_its_secret(
    notifications: Any,
) -> None:
    manager = await notifications.member("pf-audit")
    body = {
        "channel": "webhook",
        "target": "http://127.0.0.1:9/hook",
        "event_types": ["alert.raised"],
        "portfolio_id": "pf-audit",  # a portfolio manager subscribes to their portfolio's
    }
    created = await notifications.client.post(
        "/v1/subscriptions", headers={**manager, "X-Correlation-ID": "corr-sub-1"}, json=body
    )
    assert created.status_code == 201, created.text
    subscription = created.json()
    path = f"/v1/subscriptions/{subscription['id']}"
    deleted = await notifications.client.delete(
        path, headers={**manager, "X-Correlation-ID": "corr-sub-2"}
    )
    assert deleted.status_code == 204

    creation, deletion = await audit_of(notifications, subscription["id"])
    assert creation["action"] == "subscription.created"
    assert creation["actor"] == {
        "subject": "pm@example.com",
        "email": "pm@example.com",
        "roles": ["portfolio_manager"],
    }
    assert creation["correlation_id"] == "corr-sub-1"
    assert creation["changes"]["target"] == {"before": None, "after": "http://127.0.0.1:9/hook"}
    assert "secret" not in creation["changes"]
    assert subscription["secret"] not in str(creation)
    assert deletion["action"] == "subscription.deleted"
    assert deletion["correlation_id"] == "corr-sub-2"
    assert deletion["changes"]["channel"] == {"before": "webhook", "after": None}


async def test_escalation_policies_and_silences_are_audited(notifications: Any) -> None:
    admin = notifications.auth()
    policy = {
        "name": "Digital ladder",
        "portfolio_id": f"pf-{uuid.uuid4().hex[:8]}",
        "levels": [{"after_seconds": 3600, "notify": ["sponsor"]}],
    }
    created = await notifications.client.post("/v1/escalation-policies", headers=admin, json=policy)
    path = f"/v1/escalation-policies/{created.json()['id']}"
    await notifications.client.put(path, headers=admin, json=policy | {"repeat": 2})
    await notifications.client.delete(path, headers=admin)
    records = await audit_of(notifications, created.json()["id"])
    assert [r["action"] for r in records] == [
        "escalation_policy.created",
        "escalation_policy.updated",
        "escalation_policy.deleted",
    ]
    assert records[1]["changes"]["repeat"] == {"before": 0, "after": 2}
    assert records[1]["actor"]["email"] == ADMIN

    ends = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    silence = {"project_id": "p-1", "reason": "Migration weekend", "ends_at": ends}
    made = await notifications.client.post("/v1/silences", headers=admin, json=silence)
    await notifications.client.delete(f"/v1/silences/{made.json()['id']}", headers=admin)
    made_record, ended_record = await audit_of(notifications, made.json()["id"])
    assert made_record["action"] == "silence.created"
    assert made_record["changes"]["reason"]["after"] == "Migration weekend"
    assert ended_record["action"] == "silence.deleted"


async def test_acknowledging_and_resolving_an_alert_is_audited(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    at_risk = notifications_payloads.at_risk(project_id, portfolio_id="pf-audit")
    await notifications.apply("project.at_risk", at_risk)
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    alert_id = listed.json()["items"][0]["id"]
    manager = await notifications.member("pf-audit", "pf@example.com")
    traced = {**manager, "X-Correlation-ID": "corr-ack"}
    assert (
        await notifications.client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=traced)
    ).is_success
    # Acknowledging again changes nothing, so it records nothing.
    assert (
        await notifications.client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=manager)
    ).is_success
    resolved = await notifications.client.post(
        f"/v1/alerts/{alert_id}/resolve", headers=manager, json={"note": "Re-forecast approved"}
    )
    assert resolved.status_code == 200, resolved.text

    acknowledged, closed = await audit_of(notifications, alert_id)
    assert acknowledged["action"] == "alert.acknowledged"
    assert acknowledged["correlation_id"] == "corr-ack"
    assert acknowledged["changes"]["status"] == {"before": "open", "after": "acknowledged"}
    assert acknowledged["changes"]["acknowledged_by"]["after"] == "pf@example.com"
    assert closed["action"] == "alert.resolved"
    assert closed["changes"]["resolution_note"]["after"] == "Re-forecast approved"


async def test_resending_a_failed_delivery_is_audited(
    notifications: Any, webhook_receiver: Any
) -> None:
    webhook_receiver.fail_next(3, status=503)  # max_attempts 3: the third attempt fails for good
    failed = (await notifications.at_risk_attempts_ending(webhook_receiver.url, "failed"))[-1]
    retried = await notifications.client.post(
        f"/v1/deliveries/{failed['id']}/retry", headers=notifications.auth()
    )
    assert retried.status_code == 202, retried.text

    (resent,) = await audit_of(notifications, failed["id"])
    assert resent["action"] == "delivery.resent"
    assert resent["actor"]["email"] == ADMIN
    assert resent["changes"]["next_attempt_id"]["after"] == retried.json()["id"]
    assert resent["changes"]["message_id"]["after"] == failed["message_id"]


async def test_a_bulk_resend_audits_each_delivery_it_queues(
    notifications: Any, webhook_receiver: Any
) -> None:
    webhook_receiver.fail_next(3, status=503)
    failed = (await notifications.at_risk_attempts_ending(webhook_receiver.url, "failed"))[-1]
    now = datetime.now(UTC)
    body = {
        "subscription_id": failed["subscription_id"],
        "created_from": (now - timedelta(hours=1)).isoformat(),
        "created_to": (now + timedelta(hours=1)).isoformat(),
    }
    answer = await notifications.client.post(
        "/v1/deliveries/resend", headers=notifications.auth(), json=body
    )
    assert answer.json() == {"resent": 1}

    (resent,) = await audit_of(notifications, failed["id"])
    assert resent["action"] == "delivery.resent"
    assert resent["changes"]["next_attempt"]["after"] == failed["attempt"] + 1


async def test_only_pmo_admins_read_the_audit_trail(notifications: Any) -> None:
    for role in ("viewer", "project_manager", "portfolio_manager"):
        refused = await notifications.client.get(
            "/v1/audit", headers=notifications.auth(role, "x@example.com")
        )
        assert refused.status_code == 403, role
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await notifications.client.get("/v1/audit")).status_code == 401
