"""The project page follows the project's alert and intervention, across the real stack.

A red report: notifications opens an alert and standards an intervention, each announced on
Kafka; monitoring learns their ids and its project page lists them (the e2e stack sets no
PMO_MONITORING_*_URL, so as ids). A healthy report resolves the alert and closes the case, and
the page lists neither any more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

MANAGER = "mary.jackson@example.com"
TODAY = datetime.now(UTC).date().isoformat()


async def test_the_project_page_lists_the_open_alert_and_intervention_until_recovery(
    running_stack: Any, token_for: Callable[..., dict[str, str]], http: httpx.AsyncClient
) -> None:
    admin = token_for("pmo_admin", "pmo-admin@example.com")
    manager = token_for("project_manager", MANAGER)
    monitoring = running_stack.url("monitoring")
    created = await http.post(
        f"{running_stack.url('intake')}/v1/projects",
        headers=admin,
        json=halfway_project_body("Wind tunnel", MANAGER),
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    reports = f"{monitoring}/v1/projects/{project_id}/status-reports"

    async def page() -> str | None:
        answer = await http.get(f"{monitoring}/ui/projects/{project_id}", headers=manager)
        return answer.text if answer.status_code == 200 else None

    assert "follow-up-heading" not in await eventually(page, what="monitoring to hear of it")

    red = {"as_of": TODAY, "percent_complete": 30, "actual_cost": 50000}
    assert (await http.post(reports, headers=manager, json=red)).status_code == 201

    async def open_one(url: str, **wanted: str) -> str | None:
        answer = await http.get(url, params={"project_id": project_id}, headers=admin)
        wanted["status"] = "open"
        items = [item for item in answer.json()["items"] if wanted.items() <= item.items()]
        return str(items[0]["id"]) if items else None

    # The at-risk alert (one reporting a missed report may come and go before it).
    alerts, cases = f"{running_stack.url('notifications')}/v1/alerts", "/v1/interventions"
    alert_id = await eventually(lambda: open_one(alerts, kind="at_risk"), what="an alert")
    case_url = f"{running_stack.url('standards')}{cases}"
    case_id = await eventually(lambda: open_one(case_url), what="a case", within=30)

    async def listing_both() -> str | None:
        text = await page()
        ids = (f"<code>{alert_id}</code>", f"<code>{case_id}</code>")
        return text if text is not None and all(shown in text for shown in ids) else None

    listed = await eventually(listing_both, what="the page to list them", within=30)
    assert "Open alert" in listed and "Open intervention" in listed

    healthy = {"as_of": TODAY, "percent_complete": 55, "actual_cost": 52000}
    assert (await http.post(reports, headers=manager, json=healthy)).status_code == 201

    async def listing_neither() -> bool:
        text = await page()
        return text is not None and alert_id not in text and case_id not in text

    assert await eventually(listing_neither, what="the page to drop both", within=30)
