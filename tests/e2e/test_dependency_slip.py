"""A slip upstream turns the project that depends on it amber, across the running services.

Two projects are registered in intake; monitoring hears of them on Kafka. The downstream one
records in its RAID register that it needs the upstream one done by a date, and reports green.
The upstream one then reports a pace that puts its forecast end (earned schedule) ten days
past that date: the downstream project turns amber with a `dependency_at_risk` reason naming
the upstream project and the slip, published on Kafka as its own health change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.event_tap import EventTap
from pmo_stack.testkit.project_data import halfway_project_body
from pmo_stack.testkit.waiting import eventually

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
MANAGER = "annie.easley@example.com"
UPSTREAM_NAME = "Hermes identity platform"
# 40 % done halfway through a 200-day plan: SPI(t) 0.8, forecast end 250 days after the start,
# 150 days from today; needed 140 days from today: 10 days of slip, amber (red beyond 14).
NEEDED_BY = TODAY + timedelta(days=140)


@pytest.fixture
async def tap(kafka_bootstrap: str) -> AsyncIterator[EventTap]:
    """A reader of the health changes."""
    event_tap = EventTap(kafka_bootstrap, ["project.health_changed"])
    await event_tap.start()
    yield event_tap
    await event_tap.stop()


async def _register(http: httpx.AsyncClient, intake: str, admin: dict[str, str], name: str) -> str:
    created = await http.post(
        f"{intake}/v1/projects", headers=admin, json=halfway_project_body(name, MANAGER)
    )
    assert created.status_code == 201, created.text
    project_id: str = created.json()["id"]
    return project_id


async def test_an_upstream_slip_turns_the_downstream_project_amber(
    running_stack: Any,
    token_for: Callable[..., dict[str, str]],
    http: httpx.AsyncClient,
    tap: EventTap,
) -> None:
    admin = token_for("pmo_admin", "pmo-admin@example.com")
    manager = token_for("project_manager", MANAGER)
    intake, monitoring = running_stack.url("intake"), running_stack.url("monitoring")
    upstream = await _register(http, intake, admin, UPSTREAM_NAME)
    downstream = await _register(http, intake, admin, "Apollo customer portal")
    dependency = {
        "kind": "dependency",
        "title": "Single sign-on available",
        "depends_on_project_id": upstream,
        "needed_by": NEEDED_BY.isoformat(),
    }

    async def recorded() -> httpx.Response | None:
        # 404 (downstream) or 422 (upstream) until monitoring has heard of both projects.
        answer = await http.post(
            f"{monitoring}/v1/projects/{downstream}/raid", headers=manager, json=dependency
        )
        return answer if answer.status_code not in (404, 422) else None

    added = await eventually(recorded, what="monitoring to know both projects")
    assert added.status_code == 201, added.text

    async def report(project_id: str, percent: float) -> dict[str, Any]:
        answer = await http.post(
            f"{monitoring}/v1/projects/{project_id}/status-reports",
            headers=manager,
            json={
                "as_of": TODAY.isoformat(),
                "percent_complete": percent,
                "actual_cost": percent * 1000,
            },
        )
        assert answer.status_code == 201, answer.text
        health: dict[str, Any] = answer.json()["health"]
        return health

    assert (await report(downstream, 50))["rag"] == "green"
    await report(upstream, 40)

    green, amber = await tap.wait_for_events("project.health_changed", downstream, 2)
    assert (green["data"]["rag"], amber["data"]["rag"]) == ("green", "amber")
    assert amber["data"]["previous_rag"] == "green"
    (reason,) = amber["data"]["reasons"]
    assert reason["code"] == "dependency_at_risk"
    assert f'Project "{UPSTREAM_NAME}"' in reason["message"]
    assert "10 days after" in reason["message"]
    assert UPSTREAM_NAME in reason["messages"]["fr"] and "10 jours" in reason["messages"]["fr"]

    health = await http.get(f"{monitoring}/v1/projects/{downstream}/health", headers=manager)
    assert health.json()["rag"] == "amber"
    assert [r["code"] for r in health.json()["reasons"]] == ["dependency_at_risk"]
