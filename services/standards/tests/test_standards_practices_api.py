"""/v1/practices: the best-practice library, its search and who may add to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

MakeHeaders = Callable[..., dict[str, str]]

PRACTICES: list[dict[str, Any]] = [
    {
        "title": "Weekly risk review",
        "body": "Walk the risk register with the team every week.",
        "tags": ["Risk Management", "governance"],
        "methodology": "waterfall",
    },
    {
        "title": "Sprint retrospective",
        "body": "Inspect and adapt: one improvement per sprint, owned by the team.",
        "tags": ["agile"],
        "methodology": "scrum",
    },
    {
        "title": "Earned value at 100% of scope",
        "body": "Baseline the budget at completion before measuring EV.",
        "tags": ["evm", "Cost_Control"],
    },
]


async def add_all(client: httpx.AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    created = []
    for practice in PRACTICES:
        response = await client.post("/v1/practices", json=practice, headers=admin)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def search(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get("/v1/practices", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_admin_adds_a_practice_with_normalised_tags(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    admin = standards_auth("pmo_admin", email="admin@pmo.example")
    created = (await add_all(standards_client, admin))[0]
    assert created["tags"] == ["risk management", "governance"]
    assert created["created_by"] == "admin@pmo.example"
    one = await standards_client.get(
        f"/v1/practices/{created['id']}", headers=standards_auth("viewer")
    )
    assert one.json() == created
    missing = await standards_client.get("/v1/practices/nope", headers=admin)
    assert missing.status_code == 404


async def test_search_is_case_insensitive_over_title_body_and_tags(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    await add_all(standards_client, standards_auth("pmo_admin"))
    viewer = standards_auth("viewer")
    assert await search(standards_client, viewer, q="RISK") == ["Weekly risk review"]
    assert await search(standards_client, viewer, q="inspect AND") == ["Sprint retrospective"]
    assert await search(standards_client, viewer, q="cost_control") == [
        "Earned value at 100% of scope"
    ]
    assert await search(standards_client, viewer, q="team") == [
        "Sprint retrospective",
        "Weekly risk review",
    ]  # newest first
    # LIKE wildcards in the query are literal characters.
    assert await search(standards_client, viewer, q="100%") == ["Earned value at 100% of scope"]
    assert await search(standards_client, viewer, q="%") == ["Earned value at 100% of scope"]
    assert await search(standards_client, viewer, q="cost_c") == ["Earned value at 100% of scope"]
    assert await search(standards_client, viewer, q="r_sk") == []
    assert await search(standards_client, viewer, q="team", methodology="scrum") == [
        "Sprint retrospective"
    ]
    assert len(await search(standards_client, viewer)) == 3


async def test_practices_are_paginated(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    await add_all(standards_client, standards_auth("pmo_admin"))
    response = await standards_client.get(
        "/v1/practices", params={"limit": 2}, headers=standards_auth("project_manager")
    )
    page = response.json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    rest = await standards_client.get(
        "/v1/practices", params={"limit": 2, "offset": 2}, headers=standards_auth("viewer")
    )
    assert len(rest.json()["items"]) == 1 and rest.json()["next_offset"] is None


async def test_only_pmo_admins_add_practices(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    assert (await standards_client.post("/v1/practices", json=PRACTICES[0])).status_code == 401
    assert (await standards_client.get("/v1/practices")).status_code == 401
    for role in ("viewer", "project_manager", "portfolio_manager"):
        response = await standards_client.post(
            "/v1/practices", json=PRACTICES[0], headers=standards_auth(role)
        )
        assert response.status_code == 403, role


async def test_invalid_practices_are_refused_naming_the_field(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    admin = standards_auth("pmo_admin")
    cases = [
        ({**PRACTICES[0], "methodology": "safe"}, "body.methodology"),
        ({**PRACTICES[0], "title": ""}, "body.title"),
        ({**PRACTICES[0], "tags": ["x"] * 21}, "body.tags"),
        ({**PRACTICES[0], "rating": 5}, "body.rating"),
    ]
    for body, field in cases:
        response = await standards_client.post("/v1/practices", json=body, headers=admin)
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
