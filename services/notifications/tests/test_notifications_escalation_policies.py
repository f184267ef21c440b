"""Escalation policies over HTTP: the seeded default, one policy per portfolio, validation that
names the field, and who may read and change them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

URL = "/v1/escalation-policies"


def policy_body(portfolio_id: str | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Digital ladder",
        "portfolio_id": portfolio_id if portfolio_id is not None else f"pf-{uuid.uuid4().hex[:8]}",
        "levels": [
            {"after_seconds": 3600, "notify": ["sponsor"]},
            {"after_seconds": 7200, "notify": ["intervention_owner", "Desk@Example.com"]},
        ],
        "repeat": 1,
    }
    return body | changes


async def test_a_default_policy_ships_seeded(notifications: Any) -> None:
    answer = await notifications.client.get(URL, headers=notifications.auth("viewer"))
    assert answer.status_code == 200, answer.text
    [default] = answer.json()["items"]
    assert (default["name"], default["portfolio_id"], default["repeat"]) == ("Default", None, 0)
    assert default["levels"] == [
        {"after_seconds": 3600, "notify": ["sponsor"]},
        {"after_seconds": 14400, "notify": ["pmo"]},
    ]


async def test_create_read_replace_delete(notifications: Any) -> None:
    admin = notifications.auth()
    body = policy_body()
    created = await notifications.client.post(URL, headers=admin, json=body)
    assert created.status_code == 201, created.text
    policy = created.json()
    assert created.headers["Location"] == f"{URL}/{policy['id']}"
    assert policy["levels"][1]["notify"] == ["intervention_owner", "Desk@example.com"]
    assert (await notifications.client.get(f"{URL}/{policy['id']}", headers=admin)).json() == (
        policy
    )

    changed = policy_body(body["portfolio_id"], name="Shorter", levels=body["levels"][:1])
    replaced = await notifications.client.put(f"{URL}/{policy['id']}", headers=admin, json=changed)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["name"], len(replaced.json()["levels"])) == ("Shorter", 1)
    assert replaced.json()["created_at"] == policy["created_at"]

    gone = await notifications.client.delete(f"{URL}/{policy['id']}", headers=admin)
    assert gone.status_code == 204
    missing = await notifications.client.get(f"{URL}/{policy['id']}", headers=admin)
    assert missing.status_code == 404
    again = await notifications.client.delete(f"{URL}/{policy['id']}", headers=admin)
    assert again.status_code == 404
    nowhere = await notifications.client.put(f"{URL}/{policy['id']}", headers=admin, json=changed)
    assert nowhere.status_code == 404


async def test_one_policy_per_portfolio_and_one_default(notifications: Any) -> None:
    admin = notifications.auth()
    first = await notifications.client.post(URL, headers=admin, json=policy_body("pf-one"))
    assert first.status_code == 201, first.text
    for body in (policy_body("pf-one", name="Another"), policy_body(None) | {"portfolio_id": None}):
        second = await notifications.client.post(URL, headers=admin, json=body)
        assert second.status_code == 409, second.text
        assert second.json()["errors"] == [
            {"field": "portfolio_id", "reason": "already has an escalation policy"}
        ]
    other = await notifications.client.post(URL, headers=admin, json=policy_body("pf-two"))
    moved = await notifications.client.put(
        f"{URL}/{other.json()['id']}", headers=admin, json=policy_body("pf-one")
    )
    assert moved.status_code == 409, moved.text


async def test_an_idempotency_key_replays_the_first_answer(notifications: Any) -> None:
    headers = notifications.auth() | {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = policy_body()
    first = await notifications.client.post(URL, headers=headers, json=body)
    replay = await notifications.client.post(URL, headers=headers, json=body)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"levels": []}, "body.levels"),
        ({"levels": [{"after_seconds": 60, "notify": ["pmo"]}] * 11}, "body.levels"),
        ({"levels": [{"after_seconds": 0, "notify": ["pmo"]}]}, "body.levels.0.after_seconds"),
        (
            {"levels": [{"after_seconds": 31 * 86400, "notify": ["pmo"]}]},
            "body.levels.0.after_seconds",
        ),
        ({"levels": [{"after_seconds": "60", "notify": ["pmo"]}]}, "body.levels.0.after_seconds"),
        ({"levels": [{"after_seconds": 60, "notify": []}]}, "body.levels.0.notify"),
        ({"levels": [{"after_seconds": 60, "notify": ["boss"]}]}, "body.levels.0.notify.0"),
        (
            {"levels": [{"after_seconds": 60, "notify": ["pmo"], "wait": 1}]},
            "body.levels.0.wait",
        ),
        ({"repeat": 10}, "body.repeat"),
        ({"repeat": -1}, "body.repeat"),
        ({"name": ""}, "body.name"),
        ({"colour": "red"}, "body.colour"),
    ],
)
async def test_a_bad_policy_answers_422_naming_the_field(
    notifications: Any, changes: dict[str, Any], field: str
) -> None:
    answer = await notifications.client.post(
        URL, headers=notifications.auth(), json=policy_body(**changes)
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in answer.json()["errors"]]


async def test_who_may_read_and_change_policies(notifications: Any) -> None:
    client = notifications.client
    for role in ("viewer", "portfolio_manager", "pmo_admin"):
        answer = await client.get(URL, headers=notifications.auth(role))
        assert answer.status_code == 200, (role, answer.text)
    for role in ("project_manager", "service"):
        assert (await client.get(URL, headers=notifications.auth(role))).status_code == 403
    assert (await client.get(URL)).status_code == 401

    body = policy_body()
    for role in ("viewer", "project_manager"):
        refused = await client.post(URL, headers=notifications.auth(role), json=body)
        assert refused.status_code == 403, (role, refused.text)
    manager = await notifications.member(body["portfolio_id"], "pm@example.com")
    created = await client.post(URL, headers=manager, json=body)
    assert created.status_code == 201, created.text

    default = next(
        item
        for item in (await client.get(URL, headers=manager)).json()["items"]
        if item["portfolio_id"] is None
    )
    default_body = policy_body() | {"portfolio_id": None}
    assert (
        await client.put(f"{URL}/{default['id']}", headers=manager, json=default_body)
    ).status_code == 403
    assert (await client.delete(f"{URL}/{default['id']}", headers=manager)).status_code == 403
    assert (await client.post(URL, headers=manager, json=default_body)).status_code == 403
    viewer = notifications.auth("viewer")
    assert (await client.delete(f"{URL}/{created.json()['id']}", headers=viewer)).status_code == 403
    assert (
        await client.delete(f"{URL}/{created.json()['id']}", headers=manager)
    ).status_code == 204


async def test_only_a_pmo_admin_names_addresses_outside_the_allowed_domains(
    run_notifications: Any,
) -> None:
    # As for e-mail subscriptions (ADR 0010): a policy must not mail alerts outside the company.
    async with run_notifications(allowed_email_domains=("corp.example",)) as harness:
        client = harness.client
        levels = [
            {"after_seconds": 60, "notify": ["sponsor", "desk@corp.example"]},
            {"after_seconds": 60, "notify": ["pmo", "attacker@evil.example"]},
        ]
        body = policy_body(levels=levels)
        manager = await harness.member(body["portfolio_id"], "pm@corp.example")
        refused = await client.post(URL, headers=manager, json=body)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        [error] = refused.json()["errors"]
        assert error["field"] == "body.levels.1.notify.1"
        assert "corp.example (not evil.example)" in error["reason"]

        within = policy_body(body["portfolio_id"], levels=levels[:1])
        created = await client.post(URL, headers=manager, json=within)
        assert created.status_code == 201, created.text
        policy_url = f"{URL}/{created.json()['id']}"
        changed = await client.put(policy_url, headers=manager, json=body)
        assert changed.status_code == 422, changed.text
        assert [e["field"] for e in changed.json()["errors"]] == ["body.levels.1.notify.1"]

        admin = harness.auth()
        assert (await client.put(policy_url, headers=admin, json=body)).status_code == 200
