"""Portfolio roles across the real stack: membership travels by events, and a project under a
programme belongs to the programme's portfolio in every service.

Two portfolios, each with its manager (the owner, a member from the start). A project is
registered with only a programme: monitoring's roll-up of the programme's portfolio counts it.
The other portfolio's manager is refused on it in intake (approving its change request),
monitoring (its health) and notifications (silencing its portfolio), until intake makes them a
viewer of the portfolio: then they read it, and still may not decide on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

MANAGER = "grace.hopper@example.com"
OWNER = "pam.portfolio@example.com"
OTHER_OWNER = "pete.portfolio@example.com"


async def _created(http: httpx.AsyncClient, url: str, headers: dict[str, str], body: Any) -> str:
    answer = await http.post(url, headers=headers, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_roles_follow_portfolio_membership_and_projects_follow_their_programme(
    running_stack: Any, token_for: Callable[..., dict[str, str]], http: httpx.AsyncClient
) -> None:
    intake, monitoring = running_stack.url("intake"), running_stack.url("monitoring")
    notifications = running_stack.url("notifications")
    admin = token_for("pmo_admin", "pmo-admin@example.com")
    owner = token_for("portfolio_manager", OWNER)
    other = token_for("portfolio_manager", OTHER_OWNER)
    manager = token_for("project_manager", MANAGER)
    suffix = uuid.uuid4().hex[:6]

    portfolio = await _created(
        http, f"{intake}/v1/portfolios", admin, {"name": f"Labs {suffix}", "owner": OWNER}
    )
    await _created(
        http, f"{intake}/v1/portfolios", admin, {"name": f"Ops {suffix}", "owner": OTHER_OWNER}
    )
    program = await _created(
        http,
        f"{intake}/v1/programs",
        admin,
        {"name": f"Compilers {suffix}", "owner": OWNER, "portfolio_id": portfolio},
    )
    body = halfway_project_body(f"COBOL {suffix}", MANAGER, program_id=program)
    body.pop("portfolio_id", None)
    project = await _created(http, f"{intake}/v1/projects", admin, body)

    # Intake files the project under the programme's portfolio.
    registered = await http.get(f"{intake}/v1/projects/{project}", headers=admin)
    assert registered.json()["portfolio_id"] == portfolio

    # Monitoring's roll-up of that portfolio counts it, for the portfolio's own manager.
    async def in_rollup() -> bool:
        answer = await http.get(
            f"{monitoring}/v1/portfolio/health",
            params={"portfolio_id": portfolio},
            headers=owner,
        )
        if answer.status_code != 200:
            return False
        return project in {item["project_id"] for item in answer.json()["projects"]["items"]}

    assert await eventually(in_rollup, what="the project in its programme's portfolio roll-up")

    # The other portfolio's manager: refused everywhere on this portfolio.
    health = f"{monitoring}/v1/projects/{project}/health"
    assert (await http.get(health, headers=other)).status_code == 403
    change = await http.post(
        f"{intake}/v1/projects/{project}/change-requests",
        headers=manager,
        json={"changes": {"budget": 120000}, "justification": "Scope added by the board"},
    )
    assert change.status_code == 201, change.text
    approve = f"{intake}/v1/projects/{project}/change-requests/{change.json()['id']}/approve"
    refused = await http.post(approve, headers=other, json={})
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    ends = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    silence = {"portfolio_id": portfolio, "reason": "Quarter close", "ends_at": ends}
    refused_silence = await http.post(f"{notifications}/v1/silences", headers=other, json=silence)
    assert refused_silence.status_code == 403, refused_silence.text
    assert (await http.get(health, headers=owner)).status_code == 200

    # Made a viewer of the portfolio, the other manager reads it once monitoring has heard so,
    # and still may not decide on it.
    added = await http.post(
        f"{intake}/v1/portfolios/{portfolio}/members",
        headers=admin,
        json={"email": OTHER_OWNER, "role": "viewer"},
    )
    assert added.status_code in (200, 201), added.text

    async def readable() -> bool:
        return (await http.get(health, headers=other)).status_code == 200

    assert await eventually(readable, what="monitoring to hear of the new viewer")
    assert (await http.post(approve, headers=other, json={})).status_code == 403
    assert (await http.post(approve, headers=owner, json={})).status_code == 200
