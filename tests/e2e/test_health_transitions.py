"""A project goes green → amber → red → recovered through real status reports.

Each transition is checked where other systems would see it: the events on Kafka and their
reasons, and the alert in notifications.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.event_tap import EventTap
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
MANAGER = "margaret.hamilton@example.com"
TOPICS = ["project.health_changed", "project.at_risk", "project.recovered"]


@pytest.fixture
async def tap(kafka_bootstrap: str) -> AsyncIterator[EventTap]:
    """A reader of the health topics."""
    event_tap = EventTap(kafka_bootstrap, TOPICS)
    await event_tap.start()
    yield event_tap
    await event_tap.stop()


def report(days_ago: int, percent: float, cost: float) -> dict[str, Any]:
    return {
        "as_of": (TODAY - timedelta(days=days_ago)).isoformat(),
        "percent_complete": percent,
        "actual_cost": cost,
    }


async def test_green_amber_red_recovered(
    running_stack: Any,
    token_for: Callable[..., dict[str, str]],
    http: httpx.AsyncClient,
    tap: EventTap,
) -> None:
    admin = token_for("pmo_admin", "pmo-admin@example.com")
    manager = token_for("project_manager", MANAGER)
    monitoring = running_stack.url("monitoring")
    gemini = halfway_project_body("Gemini data centre move", MANAGER)
    created = await http.post(
        f"{running_stack.url('intake')}/v1/projects", headers=admin, json=gemini
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    reports_url = f"{monitoring}/v1/projects/{project_id}/status-reports"

    async def post(body: dict[str, Any], correlation_id: str | None = None) -> dict[str, Any]:
        headers = {**manager, **({"X-Correlation-ID": correlation_id} if correlation_id else {})}
        # Monitoring may not have heard of the project for a moment: 404 until it has.
        for _attempt in range(100):
            answer = await http.post(reports_url, headers=headers, json=body)
            if answer.status_code != 404:
                break
            await tap.settle(0.1)
        assert answer.status_code == 201, answer.text
        health: dict[str, Any] = answer.json()["health"]
        return health

    # Planned value by each day: 100,000 * elapsed / 200 days (50,000 today, 500 a day less for
    # each day before). Progress and cost never go down from one report to the next (a report
    # that lowers them would have to say it corrects): the planned value outruns the progress.
    green = await post(report(days_ago=12, percent=42, cost=41000))
    assert green["rag"] == "green", green["reasons"]

    amber = await post(report(days_ago=8, percent=42.5, cost=42000))
    assert amber["rag"] == "amber"
    amber_codes = {reason["code"] for reason in amber["reasons"]}
    assert "spi_below_threshold" in amber_codes

    red = await post(report(days_ago=4, percent=42.6, cost=50000), correlation_id="audit-4711")
    assert red["rag"] == "red"

    recovered = await post(report(days_ago=0, percent=56, cost=52000))
    assert recovered["rag"] in ("green", "amber")

    changes = await tap.wait_for_events("project.health_changed", project_id, 4)
    assert [c["data"]["rag"] for c in changes] == ["green", "amber", "red", recovered["rag"]]
    assert [c["data"]["previous_rag"] for c in changes[1:]] == ["green", "amber", "red"]

    (at_risk,) = await tap.wait_for_events("project.at_risk", project_id, 1)
    assert at_risk["data"]["severity"] == "critical"
    # The request's correlation id travels into the event it caused (and on to the alert).
    assert at_risk["correlationid"] == "audit-4711"
    assert at_risk["traceparent"].startswith("00-")
    assert at_risk["data"]["manager"] == MANAGER
    reasons = {reason["code"]: reason for reason in at_risk["data"]["reasons"]}
    assert reasons["cpi_below_threshold"]["value"] == pytest.approx(42600 / 50000, abs=1e-3)
    assert reasons["cpi_below_threshold"]["threshold"] == pytest.approx(0.90)
    assert "Cost performance" in reasons["cpi_below_threshold"]["message"]

    (back,) = await tap.wait_for_events("project.recovered", project_id, 1)
    assert back["data"]["previous_rag"] == "red"

    await tap.settle()
    assert len(tap.events("project.at_risk", project_id)) == 1
    assert len(tap.events("project.recovered", project_id)) == 1

    # The at-risk alert follows the project: resolved at green, lowered to a warning at amber.
    expected = (
        {"status": "resolved"}
        if recovered["rag"] == "green"
        else {"status": "open", "severity": "warning"}
    )

    seen: list[Any] = []

    async def alert_followed() -> bool:
        answer = await http.get(
            f"{running_stack.url('notifications')}/v1/alerts",
            headers=manager,
            params={"project_id": project_id},
        )
        at_risk = [a for a in answer.json()["items"] if a["kind"] == "at_risk"]
        seen[:] = [answer.status_code, at_risk]
        return len(at_risk) == 1 and expected.items() <= at_risk[0].items()

    for _attempt in range(200):
        if await alert_followed():
            break
        await tap.settle(0.1)
    assert await alert_followed(), (expected, seen, [c["data"] for c in changes])
