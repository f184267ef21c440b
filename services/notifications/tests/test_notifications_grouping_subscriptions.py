"""A subscription's grouping window through the API: shown, defaulted, and refused out of bounds
(422 problem+json naming the field)."""

from __future__ import annotations

from typing import Any

import pytest


def body(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "email",
        "target": "portfolio-desk@example.com",
        "event_types": ["project.at_risk"],
        "portfolio_id": "pf-digital",
        **fields,
    }


async def test_the_window_is_stored_and_shown(notifications: Any) -> None:
    created = await notifications.client.post(
        "/v1/subscriptions",
        headers=notifications.auth(),
        json=body(group_wait_seconds=30, group_interval_seconds=300),
    )
    assert created.status_code == 201, created.text
    assert (created.json()["group_wait_seconds"], created.json()["group_interval_seconds"]) == (
        30,
        300,
    )
    read = await notifications.client.get(
        f"/v1/subscriptions/{created.json()['id']}", headers=notifications.auth()
    )
    assert (read.json()["group_wait_seconds"], read.json()["group_interval_seconds"]) == (30, 300)
    listed = await notifications.client.get("/v1/subscriptions", headers=notifications.auth())
    [item] = [item for item in listed.json()["items"] if item["id"] == created.json()["id"]]
    assert item["group_wait_seconds"] == 30


async def test_a_subscription_without_a_window_delivers_at_once(notifications: Any) -> None:
    created = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=body()
    )
    assert created.status_code == 201, created.text
    assert (created.json()["group_wait_seconds"], created.json()["group_interval_seconds"]) == (
        0,
        0,
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"group_interval_seconds": 300}, "group_interval_seconds", "needs group_wait_seconds"),
        ({"group_wait_seconds": 86_401}, "group_wait_seconds", "86400"),
        (
            {"group_wait_seconds": 30, "group_interval_seconds": 86_401},
            "group_interval_seconds",
            "86400",
        ),
        ({"group_wait_seconds": -1}, "group_wait_seconds", "0"),
        ({"group_wait_seconds": "30"}, "group_wait_seconds", "integer"),
        ({"group_wait_seconds": 1.5}, "group_wait_seconds", "integer"),
    ],
)
async def test_a_window_out_of_bounds_is_refused_naming_the_field(
    notifications: Any, fields: dict[str, Any], field: str, reason: str
) -> None:
    answer = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=body(**fields)
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["field"].removeprefix("body.") == field
    assert reason in error["reason"]
