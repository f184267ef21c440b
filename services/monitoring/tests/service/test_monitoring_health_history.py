"""GET /v1/projects/{id}/health/history: one point per report, oldest first, for charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.db.tables import health_snapshots
from sqlalchemy import delete

from .conftest import corrected

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from conftest import Monitoring

    ReadHistory = Callable[..., Awaitable[Any]]

TODAY = datetime.now(UTC).date()
POINT_FIELDS = {
    "as_of",
    "report_id",
    "rag",
    "pv",
    "ev",
    "ac",
    "bac",
    "cpi",
    "spi",
    "spi_t",
    "eac",
    "vac",
    "tcpi",
    "forecast_end_date",
    "baseline_version",
}


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _history_url(project_id: str) -> str:
    return f"/v1/projects/{project_id}/health/history"


@pytest.fixture
def read_history(monitoring: Monitoring) -> ReadHistory:
    """GET a project's health history as a PMO admin (query parameters as keywords)."""

    async def get(project_id: str, **params: Any) -> Any:
        response = await monitoring.client.get(
            _history_url(project_id), params=params, headers=monitoring.auth_header()
        )
        assert response.status_code == 200, response.text
        return response.json()

    return get


async def test_history_lists_each_report_oldest_first_with_its_figures(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    # Filed out of order: the history is ordered by as_of, not by filing.
    late = await monitoring.file_report(
        project_id, monitoring.report_body(as_of=_day(-10), percent_complete=40)
    )
    first = await monitoring.file_report(
        project_id, corrected(monitoring.report_body(as_of=_day(-20), percent_complete=40))
    )
    last = await monitoring.file_report(project_id, monitoring.report_body())

    history = await read_history(project_id)
    assert (history["project_id"], history["currency"]) == (project_id, "EUR")
    points = history["items"]
    assert [p["report_id"] for p in points] == [first["id"], late["id"], last["id"]]
    assert [p["as_of"] for p in points] == [_day(-20), _day(-10), _day(0)]
    assert all(set(point) == POINT_FIELDS for point in points)
    # 40 % of 100 000 earned after 80 of 200 days (PV 40 000), 50 000 spent: CPI 0.8, SPI 1.
    oldest = points[0]
    assert (oldest["pv"], oldest["ev"], oldest["ac"], oldest["bac"]) == (
        40000.0,
        40000.0,
        50000.0,
        100000.0,
    )
    assert (oldest["cpi"], oldest["spi"], oldest["eac"], oldest["vac"]) == (
        0.8,
        1.0,
        125000.0,
        -25000.0,
    )
    assert oldest["tcpi"] == pytest.approx(60000 / 50000)
    assert oldest["spi_t"] == pytest.approx(1.0)
    assert oldest["forecast_end_date"] == _day(100)
    assert oldest["rag"] == "red"  # CPI 0.8 is below 0.90
    # The newest point agrees with the health answer of the same report.
    health = last["health"]
    newest = points[-1]
    assert newest["rag"] == health["rag"] == "green"
    assert newest["baseline_version"] == health["baseline_version"] == 1
    for name in POINT_FIELDS - {"as_of", "report_id", "rag", "baseline_version"}:
        assert newest[name] == health["metrics"][name], name
    assert history["next_offset"] is None


async def test_history_is_paginated_and_filtered_by_date(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    for back in (40, 30, 20, 10, 0):
        await monitoring.file_report(project_id, monitoring.report_body(as_of=_day(-back)))

    page = await read_history(project_id, limit=2)
    assert [p["as_of"] for p in page["items"]] == [_day(-40), _day(-30)]
    assert (page["limit"], page["offset"], page["next_offset"]) == (2, 0, 2)
    rest = await read_history(project_id, limit=2, offset=4)
    assert [p["as_of"] for p in rest["items"]] == [_day(0)]
    assert rest["next_offset"] is None

    window = await read_history(project_id, **{"from": _day(-30), "to": _day(-10)})
    assert [p["as_of"] for p in window["items"]] == [_day(-30), _day(-20), _day(-10)]
    since = await read_history(project_id, **{"from": _day(-5)})
    assert [p["as_of"] for p in since["items"]] == [_day(0)]
    until = await read_history(project_id, to=_day(-35))
    assert [p["as_of"] for p in until["items"]] == [_day(-40)]
    one_day = await read_history(project_id, **{"from": _day(0), "to": _day(0)})
    assert len(one_day["items"]) == 1

    empty = await monitoring.known_project()
    nothing = await read_history(empty["project_id"])
    assert (nothing["items"], nothing["next_offset"]) == ([], None)


async def test_a_corrected_day_is_one_point_with_the_corrected_figures(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    # On plan a week ago (PV 46 500 of 100 000), so today's figures show no trend.
    on_plan = monitoring.report_body(as_of=_day(-7), percent_complete=46.5, actual_cost=46500)
    await monitoring.file_report(project_id, on_plan)
    # Overspent (CPI 0.775), then the cost corrected down: a correction of the day.
    wrong = await monitoring.file_report(
        project_id, monitoring.report_body(percent_complete=46.5, actual_cost=60000)
    )
    assert wrong["health"]["rag"] == "red"
    correct = await monitoring.file_report(project_id, corrected(monitoring.report_body()))
    assert (correct["id"], correct["replaced"], correct["correction"]) == (wrong["id"], True, True)

    points = (await read_history(project_id))["items"]
    assert [p["as_of"] for p in points] == [_day(-7), _day(0)]
    today = points[-1]
    assert (today["report_id"], today["rag"], today["ev"], today["cpi"]) == (
        wrong["id"],
        "green",
        50000.0,
        1.0,
    )


async def test_a_point_is_judged_as_of_its_report_not_today(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    """A report 30 days old is overdue today (amber), but its point says what it reported."""
    project = await monitoring.known_project()
    await monitoring.file_report(project["project_id"], monitoring.report_body(as_of=_day(-30)))
    health = await monitoring.read_health(project["project_id"])
    assert health["rag"] == "amber"
    assert [r["code"] for r in health["reasons"]] == ["report_overdue"]
    points = (await read_history(project["project_id"]))["items"]
    assert [p["rag"] for p in points] == ["green"]


async def test_points_keep_the_baseline_they_were_judged_against(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    """A re-baseline changes today's health, not what earlier reports were judged at."""
    project = await monitoring.known_project()
    await monitoring.file_report(project["project_id"], monitoring.report_body())
    cut = {**project, "budget": 60000.0, "version": 2, "changed_fields": ["budget"]}
    assert await monitoring.deliver("project.updated", cut) == Outcome.APPLIED
    health = await monitoring.read_health(project["project_id"])
    assert (health["rag"], health["metrics"]["bac"]) == ("red", 60000.0)
    points = (await read_history(project["project_id"]))["items"]
    assert [(p["rag"], p["bac"]) for p in points] == [("green", 100000.0)]


async def test_reports_without_a_stored_point_are_judged_on_read(
    monitoring: Monitoring, read_history: ReadHistory
) -> None:
    """Reports filed before points were stored (migration 0002) still appear in the history."""
    project = await monitoring.known_project()
    project_id = project["project_id"]
    await monitoring.file_report(
        project_id, monitoring.report_body(as_of=_day(-14), percent_complete=40)
    )
    await monitoring.file_report(project_id, monitoring.report_body())
    stored = (await read_history(project_id))["items"]
    async with monitoring.app.state.runtime.sessions() as session:
        await session.execute(delete(health_snapshots))
        await session.commit()
    judged_on_read = (await read_history(project_id))["items"]
    assert judged_on_read == stored


async def test_history_follows_the_health_access_rules(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    url = _history_url(project["project_id"])
    await monitoring.file_report(project["project_id"], monitoring.report_body())
    assert (await monitoring.client.get(url)).status_code == 401
    stranger = await monitoring.client.get(
        url, headers=monitoring.auth_header("project_manager", "eve@example.com")
    )
    assert stranger.status_code == 403
    assert stranger.headers["content-type"].startswith("application/problem+json")
    manager = await monitoring.client.get(
        url, headers=monitoring.auth_header("project_manager", project["manager"])
    )
    assert manager.status_code == 200
    assert (
        await monitoring.client.get(url, headers=monitoring.auth_header("viewer"))
    ).status_code == 200
    unknown = await monitoring.client.get(
        _history_url("no-such-project"), headers=monitoring.auth_header()
    )
    assert unknown.status_code == 404
    assert "has not heard of project" in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "query.from"),
        ({"to": "2026-02-30"}, "query.to"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "query.to"),
        ({"limit": 201}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"offset": -1}, "query.offset"),
    ],
)
async def test_bad_history_parameters_are_422_problems_naming_the_field(
    monitoring: Monitoring, params: dict[str, Any], field: str
) -> None:
    project = await monitoring.known_project()
    response = await monitoring.client.get(
        _history_url(project["project_id"]), params=params, headers=monitoring.auth_header()
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [error["field"] for error in problem["errors"]], problem
    assert problem["detail"]
