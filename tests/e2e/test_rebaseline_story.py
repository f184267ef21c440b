"""The re-baseline story (issue 11), through the real stack: a project reports red against its
original baseline; its manager files a change request in intake; a PMO admin approves it;
monitoring hears of the new baseline version and judges the next report against it, while the
earlier point of the history stays red against version 1; the baseline variance compares the
original, the baseline in force and the forecast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
MANAGER = "christine.darden@example.com"
ADMIN = "pmo-admin@example.com"
MILESTONE = "Design signed off"


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def test_an_approved_change_request_rebaselines_monitoring_and_keeps_history(
    running_stack: Any, token_for: Callable[..., dict[str, str]], http: httpx.AsyncClient
) -> None:
    admin = token_for("pmo_admin", ADMIN)
    manager = token_for("project_manager", MANAGER)
    intake, monitoring = running_stack.url("intake"), running_stack.url("monitoring")
    # 200 days, halfway today, budget 100,000: planned value 500 a day.
    body = halfway_project_body(
        "Voyager ground station", MANAGER, milestones=[{"name": MILESTONE, "due_date": _day(30)}]
    )
    created = await http.post(f"{intake}/v1/projects", headers=admin, json=body)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    project_url = f"{monitoring}/v1/projects/{project_id}"

    async def file(report: dict[str, Any]) -> dict[str, Any]:
        async def filed() -> httpx.Response | None:
            answer = await http.post(f"{project_url}/status-reports", headers=manager, json=report)
            return None if answer.status_code == 404 else answer  # not heard of yet

        answer = await eventually(filed, what="monitoring to hear of the project")
        assert answer.status_code == 201, answer.text
        health: dict[str, Any] = answer.json()["health"]
        return health

    # Ten days ago: 45 % earned (45,000) for 60,000 spent. CPI 0.75: red.
    red = await file({"as_of": _day(-10), "percent_complete": 45, "actual_cost": 60000})
    assert (red["rag"], red["baseline_version"]) == ("red", 1)
    assert "cpi_below_threshold" in {reason["code"] for reason in red["reasons"]}

    # The manager asks for more budget and time; a PMO admin approves.
    change = {
        "changes": {
            "budget": 150000,
            "end_date": _day(130),
            "milestones": [{"name": MILESTONE, "due_date": _day(45)}],
        },
        "justification": "The antenna supplier delivers a month late; integration costs more.",
    }
    filed = await http.post(
        f"{intake}/v1/projects/{project_id}/change-requests", headers=manager, json=change
    )
    assert filed.status_code == 201, filed.text
    approved = await http.post(
        f"{intake}/v1/projects/{project_id}/change-requests/{filed.json()['id']}/approve",
        headers=admin,
    )
    assert approved.status_code == 200, approved.text

    async def rebaselined() -> dict[str, Any] | None:
        answer = await http.get(f"{project_url}/health", headers=manager)
        assert answer.status_code == 200, answer.text
        health: dict[str, Any] = answer.json()
        return health if health["baseline_version"] == 2 else None

    health = await eventually(rebaselined, what="monitoring to judge against version 2")
    assert health["metrics"]["bac"] == 150000

    # Today: 50 % of the new 150,000 budget earned for 65,000 spent, judged against version 2.
    report = {
        "as_of": _day(0),
        "percent_complete": 50,
        "actual_cost": 65000,
        "milestones": [{"name": MILESTONE, "status": "in_progress", "forecast_date": _day(50)}],
    }
    judged = await file(report)
    assert judged["baseline_version"] == 2
    assert judged["rag"] != "red", judged["reasons"]
    codes = {reason["code"] for reason in judged["reasons"]}
    assert not codes & {"cpi_below_threshold", "spi_below_threshold", "eac_over_budget"}
    assert judged["metrics"]["pv"] == pytest.approx(150000 * 100 / 230, abs=0.01)

    # The earlier point is kept as it was judged: red, against version 1.
    history = await http.get(f"{project_url}/health/history", headers=manager)
    assert history.status_code == 200, history.text
    first, second = history.json()["items"]
    assert (first["rag"], first["baseline_version"], first["bac"]) == ("red", 1, 100000)
    assert (second["baseline_version"], second["bac"]) == (2, 150000)

    answer = await http.get(f"{project_url}/baseline-variance", headers=manager)
    assert answer.status_code == 200, answer.text
    variance = answer.json()
    assert (variance["original_version"], variance["current_version"]) == (1, 2)
    budget = variance["budget"]
    assert (budget["original"], budget["current"]) == (100000, 150000)
    assert budget["forecast"] == pytest.approx(judged["metrics"]["eac"])
    assert budget["current_vs_original"] == 50000
    end = variance["end_date"]
    assert (end["original"], end["current"], end["current_vs_original_days"]) == (
        _day(100),
        _day(130),
        30,
    )
    forecast_end = judged["metrics"]["forecast_end_date"]
    assert end["forecast"] == forecast_end
    assert end["forecast_vs_current_days"] == (date.fromisoformat(forecast_end) - TODAY).days - 130
    (milestone,) = variance["milestones"]
    assert milestone == {
        "name": MILESTONE,
        "original": _day(30),
        "current": _day(45),
        "forecast": _day(50),
        "current_vs_original_days": 15,
        "forecast_vs_current_days": 5,
        "forecast_vs_original_days": 20,
    }
