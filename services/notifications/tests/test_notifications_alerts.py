"""Alerts from monitoring's signals, and the routes that read, acknowledge and resolve them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

MANAGER = "ada@example.com"

# A report after the recovery the default payloads describe (as of 2026-03-09).
LATER_REPORT = date(2026, 3, 16)


def new_project_id() -> str:
    return str(uuid.uuid4())


async def raised_alert_id(notifications: Any, payloads: Any, **at_risk: Any) -> str:
    """Signal a new project at risk; the id of the alert that opened."""
    project_id = new_project_id()
    await notifications.apply("project.at_risk", payloads.at_risk(project_id, **at_risk))
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    alert_id: str = listed.json()["items"][0]["id"]
    return alert_id


async def test_two_at_risk_events_keep_one_alert_and_recovery_follows_the_colour(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = new_project_id()
    payloads = notifications_payloads
    await notifications.apply("project.at_risk", payloads.at_risk(project_id, severity="warning"))
    await notifications.apply("project.at_risk", payloads.at_risk(project_id, severity="critical"))

    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 1
    alert = items[0]
    assert alert["status"] == "open"
    assert alert["kind"] == "at_risk"
    assert alert["severity"] == "critical"
    assert [(c["from"], c["to"]) for c in alert["severity_changes"]] == [("warning", "critical")]
    assert alert["title"] == "Project Apollo is at risk (red)"
    assert alert["reasons"][0]["code"] == "cpi_below_threshold"
    assert alert["reasons"][0]["value"] == 0.82

    # Red to amber: the same alert, lowered to a warning and still open.
    await notifications.apply("project.recovered", payloads.recovered(project_id, rag="amber"))
    read = await notifications.client.get(f"/v1/alerts/{alert['id']}", headers=notifications.auth())
    lowered = read.json()
    assert (lowered["status"], lowered["severity"]) == ("open", "warning")
    assert lowered["title"] == "Project Apollo is at risk (amber)"

    # Green resolves it.
    green = payloads.recovered(project_id, rag="green", as_of=date(2026, 3, 12))
    await notifications.apply("project.recovered", green)
    read = await notifications.client.get(f"/v1/alerts/{alert['id']}", headers=notifications.auth())
    resolved = read.json()
    assert resolved["status"] == "resolved"
    assert resolved["resolved_by"] == "system"
    assert resolved["resolution_note"] == "Project recovered to green"
    assert resolved["resolved_at"] is not None
    assert await notifications.outbox_types("alert.") == [
        "alert.raised",
        "alert.severity_changed",
        "alert.severity_changed",
        "alert.resolved",
    ]
    raised = (await notifications.outbox_events("alert.raised"))[0]
    assert raised.subject == project_id
    assert raised.data["alert_id"] == alert["id"]

    # Red again in a later report: a new alert, since the old one is resolved.
    await notifications.apply("project.at_risk", payloads.at_risk(project_id, as_of=LATER_REPORT))
    statuses = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    assert sorted(item["status"] for item in statuses.json()["items"]) == ["open", "resolved"]


async def test_a_redelivered_event_changes_nothing(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = new_project_id()
    first = await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    outcome = await notifications.apply_event(first)
    assert outcome.value == "duplicate"
    assert await notifications.outbox_types("alert.") == ["alert.raised"]


async def test_report_overdue_keeps_one_alert_per_project(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = new_project_id()
    await notifications.apply(
        "project.report_overdue", notifications_payloads.overdue(project_id, period=3)
    )
    await notifications.apply(
        "project.report_overdue", notifications_payloads.overdue(project_id, period=3)
    )
    await notifications.apply(
        "project.report_overdue", notifications_payloads.overdue(project_id, period=4)
    )
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    items = listed.json()["items"]
    assert len(items) == 1
    assert {item["kind"] for item in items} == {"report_overdue"}
    assert {item["severity"] for item in items} == {"warning"}
    assert "overdue" in items[0]["title"]


async def test_a_project_manager_sees_only_alerts_of_projects_they_manage(
    notifications: Any, notifications_payloads: Any
) -> None:
    mine, theirs = new_project_id(), new_project_id()
    await notifications.apply(
        "project.created", notifications_payloads.created(mine, manager=MANAGER)
    )
    await notifications.apply(
        "project.created", notifications_payloads.created(theirs, manager="bob@example.com")
    )
    await notifications.apply(
        "project.at_risk", notifications_payloads.at_risk(mine, manager=MANAGER)
    )
    await notifications.apply(
        "project.at_risk", notifications_payloads.at_risk(theirs, manager="bob@example.com")
    )
    as_manager = notifications.auth("project_manager", "Ada@Example.com")
    listed = await notifications.client.get("/v1/alerts", headers=as_manager)
    assert [item["project_id"] for item in listed.json()["items"]] == [mine]

    as_viewer = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth("viewer", "v@example.com")
    )
    assert len(as_viewer.json()["items"]) == 2

    their_alert = (
        await notifications.client.get(
            "/v1/alerts", headers=notifications.auth(), params={"project_id": theirs}
        )
    ).json()["items"][0]
    forbidden = await notifications.client.get(
        f"/v1/alerts/{their_alert['id']}", headers=as_manager
    )
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("application/problem+json")

    inbox = await notifications.client.get("/v1/inbox", headers=as_manager)
    assert [item["project_id"] for item in inbox.json()["items"]] == [mine]


async def test_the_projection_ignores_stale_versions(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = new_project_id()
    await notifications.apply(
        "project.updated", notifications_payloads.created(project_id, manager=MANAGER, version=3)
    )
    await notifications.apply(
        "project.created",
        notifications_payloads.created(project_id, manager="old@example.com", version=1),
    )
    await notifications.apply(
        "project.at_risk", notifications_payloads.at_risk(project_id, manager="x@example.com")
    )
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth("project_manager", MANAGER)
    )
    assert [item["project_id"] for item in listed.json()["items"]] == [project_id]


async def test_acknowledge_and_resolve_by_the_manager(
    notifications: Any, notifications_payloads: Any
) -> None:
    alert_id = await raised_alert_id(notifications, notifications_payloads, manager=MANAGER)
    manager = notifications.auth("project_manager", MANAGER)

    acked = await notifications.client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=manager)
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == MANAGER
    again = await notifications.client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=manager)
    assert again.status_code == 200

    resolved = await notifications.client.post(
        f"/v1/alerts/{alert_id}/resolve", headers=manager, json={"note": "Re-planned with sponsor"}
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_note"] == "Re-planned with sponsor"

    conflict = await notifications.client.post(
        f"/v1/alerts/{alert_id}/acknowledge", headers=manager
    )
    assert conflict.status_code == 409
    assert "resolved" in conflict.json()["detail"]
    assert await notifications.outbox_types("alert.") == [
        "alert.raised",
        "alert.acknowledged",
        "alert.resolved",
    ]
    acknowledged = (await notifications.outbox_events("alert.acknowledged"))[0]
    assert acknowledged.data["actor"] == MANAGER


async def test_sponsor_may_resolve_without_a_body(
    notifications: Any, notifications_payloads: Any
) -> None:
    alert_id = await raised_alert_id(notifications, notifications_payloads)
    resolved = await notifications.client.post(
        f"/v1/alerts/{alert_id}/resolve", headers=notifications.auth("viewer", "grace@example.com")
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved_by"] == "grace@example.com"


async def test_alert_routes_answer_401_403_404_and_422(
    notifications: Any, notifications_payloads: Any
) -> None:
    alert_id = await raised_alert_id(notifications, notifications_payloads)
    client = notifications.client

    assert (await client.get("/v1/alerts")).status_code == 401
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert (await client.get("/v1/alerts", headers=bad_token)).status_code == 401
    no_roles = await client.get("/v1/alerts", headers=notifications.auth(None, "x@example.com"))
    assert no_roles.status_code == 403

    stranger = notifications.auth("project_manager", "stranger@example.com")
    refused = await client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=stranger)
    assert refused.status_code == 403
    assert "manager or sponsor" in refused.json()["detail"]
    viewer = notifications.auth("viewer", "v@example.com")
    assert (await client.post(f"/v1/alerts/{alert_id}/resolve", headers=viewer)).status_code == 403

    missing = await client.post("/v1/alerts/nope/acknowledge", headers=notifications.auth())
    assert missing.status_code == 404
    assert "No alert with id nope" in missing.json()["detail"]

    invalid = await client.get(
        "/v1/alerts", headers=notifications.auth(), params={"status": "closed"}
    )
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "query.status"
    extra = await client.post(
        f"/v1/alerts/{alert_id}/resolve", headers=notifications.auth(), json={"notes": "typo"}
    )
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["field"] == "body.notes"


async def test_closing_a_project_resolves_its_open_alerts(
    notifications: Any, notifications_payloads: Any
) -> None:
    from datetime import UTC, datetime

    from pmo_common.events.payloads import ProjectClosed

    project_id = new_project_id()
    await notifications.apply("project.created", notifications_payloads.created(project_id))
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    await notifications.apply(
        "project.closed",
        ProjectClosed(project_id=project_id, name="Apollo", closed_at=datetime.now(UTC), version=2),
    )
    alert = (await notifications.client.get("/v1/alerts", headers=notifications.auth())).json()[
        "items"
    ][0]
    assert alert["status"] == "resolved"
    assert alert["resolution_note"] == "Project closed"


async def test_alert_list_is_paginated(notifications: Any, notifications_payloads: Any) -> None:
    for _ in range(3):
        await notifications.apply(
            "project.at_risk", notifications_payloads.at_risk(new_project_id())
        )
    first = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"limit": 2}
    )
    assert first.json()["next_offset"] == 2 and len(first.json()["items"]) == 2
    second = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"limit": 2, "offset": 2}
    )
    assert second.json()["next_offset"] is None and len(second.json()["items"]) == 1
    too_big = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"limit": 10_000}
    )
    assert too_big.status_code == 422


async def test_alerts_are_filtered_by_kind(notifications: Any, notifications_payloads: Any) -> None:
    project_id = new_project_id()
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    await notifications.apply(
        "project.report_overdue", notifications_payloads.overdue(project_id, period=3)
    )

    async def kinds_listed(**params: str) -> list[str]:
        listed = await notifications.client.get(
            "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id, **params}
        )
        assert listed.status_code == 200, listed.text
        return sorted(item["kind"] for item in listed.json()["items"])

    assert await kinds_listed() == ["at_risk", "report_overdue"]
    assert await kinds_listed(kind="report_overdue") == ["report_overdue"]
    assert await kinds_listed(kind="at_risk") == ["at_risk"]
    assert await kinds_listed(kind="action_overdue") == []

    unknown = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"kind": "overdue"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "query.kind"


def test_the_kind_filter_names_every_kind_of_alert() -> None:
    from typing import get_args

    from pmo_notifications.api.schemas import AlertKindName
    from pmo_notifications.domain.alert_rules import ALERT_KINDS

    assert get_args(AlertKindName) == ALERT_KINDS
