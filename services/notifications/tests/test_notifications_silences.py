"""Silences: who may create them, their validation, and the idempotent create."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def test_only_pmo_admins_and_portfolio_managers_manage_silences(notifications: Any) -> None:
    body = {"portfolio_id": "pf-1", "reason": "Quarter close", "ends_at": in_hours(4)}
    client = notifications.client
    for role in ("project_manager", "viewer"):
        refused = await client.post(
            "/v1/silences", headers=notifications.auth(role, "x@example.com"), json=body
        )
        assert refused.status_code == 403, role
    assert (await client.get("/v1/silences")).status_code == 401

    portfolio_manager = await notifications.member("pf-1", "pm@example.com")
    created = await client.post("/v1/silences", headers=portfolio_manager, json=body)
    assert created.status_code == 201, created.text
    silence = created.json()
    assert silence["active"] is True and silence["created_by"] == "pm@example.com"

    listed = await client.get("/v1/silences", headers=notifications.auth(), params={"active": True})
    assert [item["id"] for item in listed.json()["items"]] == [silence["id"]]
    viewer_list = await client.get("/v1/silences", headers=notifications.auth("viewer", "v@x.com"))
    assert viewer_list.status_code == 403
    assert (
        await client.delete("/v1/silences/none", headers=notifications.auth())
    ).status_code == 404


async def test_silence_validation(notifications: Any) -> None:
    client = notifications.client
    portfolio_manager = notifications.auth("portfolio_manager", "pm@example.com")
    unscoped = await client.post(
        "/v1/silences",
        headers=portfolio_manager,
        json={"reason": "All quiet", "ends_at": in_hours(1)},
    )
    assert unscoped.status_code == 422
    assert unscoped.json()["errors"][0]["field"] == "project_id"
    everything = await client.post(
        "/v1/silences",
        headers=notifications.auth(),
        json={"reason": "Maintenance window", "ends_at": in_hours(1)},
    )
    assert everything.status_code == 201

    past = await client.post(
        "/v1/silences",
        headers=portfolio_manager,
        json={"project_id": "p-1", "reason": "late", "ends_at": in_hours(-1)},
    )
    assert past.status_code == 422
    assert past.json()["errors"] == [{"field": "ends_at", "reason": "must be in the future"}]
    too_long = await client.post(
        "/v1/silences",
        headers=portfolio_manager,
        json={"project_id": "p-1", "reason": "forever", "ends_at": in_hours(24 * 400)},
    )
    assert too_long.status_code == 422
    assert "at most 90 days" in too_long.json()["errors"][0]["reason"]
    naive = await client.post(
        "/v1/silences",
        headers=portfolio_manager,
        json={"project_id": "p-1", "reason": "tz", "ends_at": "2030-01-01T00:00:00"},
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "body.ends_at"


async def test_silence_create_honours_idempotency_key(notifications: Any) -> None:
    headers = {**notifications.auth(), "Idempotency-Key": "silence-1"}
    body = {"project_id": "p-1", "reason": "Re-baseline", "ends_at": in_hours(2)}
    first = await notifications.client.post("/v1/silences", headers=headers, json=body)
    again = await notifications.client.post("/v1/silences", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listed = await notifications.client.get("/v1/silences", headers=notifications.auth())
    assert len(listed.json()["items"]) == 1
