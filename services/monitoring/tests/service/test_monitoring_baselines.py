"""Health against the baseline in force: baseline versions heard of, `baseline_version` in
health and its history (old points keep theirs), and GET /v1/projects/{id}/baseline-variance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.db.tables import baseline_versions
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
MILESTONE = "Design signed off"


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _baseline(budget: float, end: int, milestone_due: int) -> dict[str, Any]:
    """A baseline as project.rebaselined carries it: 100 days ago to `end` days from today."""
    return {
        "budget": budget,
        "start_date": _day(-100),
        "end_date": _day(end),
        "milestones": [{"name": MILESTONE, "due_date": _day(milestone_due)}],
        "planned_value_profile": [],
    }


ORIGINAL = _baseline(100000.0, 100, 30)  # the conftest's project.created baseline
RAISED = _baseline(150000.0, 130, 45)


def _rebaselined(project_id: str, version: int, previous: Any, current: Any) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "version": version,
        "previous": previous,
        "current": current,
        "reason": "The supplier delivers a quarter late; integration costs 50,000 more.",
        "changed_fields": ["budget", "end_date", "milestones"],
        "change_request_id": "cr-1",
        "changed_by": "pmo-admin@example.com",
        "changed_at": datetime.now(UTC).isoformat(),
    }


async def _approve(
    monitoring: Monitoring, created: dict[str, Any], baseline: dict[str, Any], version: int
) -> None:
    """What intake publishes when a change request is approved: the new baseline version
    (project.rebaselined) and the project with it (project.updated)."""
    project_id = created["project_id"]
    previous = ORIGINAL if version == 2 else RAISED
    rebaselined = _rebaselined(project_id, version, previous, baseline)
    assert await monitoring.deliver("project.rebaselined", rebaselined) == Outcome.APPLIED
    updated = {
        **created,
        **baseline,
        "version": created["version"] + version - 1,
        "baseline_version": version,
        "changed_fields": ["budget", "end_date", "milestones"],
    }
    assert await monitoring.deliver("project.updated", updated) == Outcome.APPLIED


async def _history(monitoring: Monitoring, project_id: str) -> list[dict[str, Any]]:
    answer = await monitoring.client.get(
        f"/v1/projects/{project_id}/health/history", headers=monitoring.auth_header()
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _variance(monitoring: Monitoring, project_id: str) -> dict[str, Any]:
    answer = await monitoring.client.get(
        f"/v1/projects/{project_id}/baseline-variance", headers=monitoring.auth_header()
    )
    assert answer.status_code == 200, answer.text
    variance: dict[str, Any] = answer.json()
    return variance


async def _stored_versions(monitoring: Monitoring, project_id: str) -> dict[int, Any]:
    engine = create_async_engine(monitoring.database_url)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(baseline_versions).where(baseline_versions.c.project_id == project_id)
            )
        ).mappings()
        found = {row["version"]: dict(row) for row in rows}
    await engine.dispose()
    return found


async def test_health_is_judged_against_the_baseline_in_force_and_history_keeps_its_own(
    monitoring: Monitoring,
) -> None:
    created = await monitoring.known_project(baseline_version=1)
    project_id = created["project_id"]
    # 45 % earned after 90 of 200 days (PV 45,000), 60,000 spent: CPI 0.75, red.
    red = await monitoring.file_report(
        project_id, monitoring.report_body(as_of=_day(-10), percent_complete=45, actual_cost=60000)
    )
    assert red["health"]["rag"] == "red"
    assert red["health"]["baseline_version"] == 1
    assert "cpi_below_threshold" in {reason["code"] for reason in red["health"]["reasons"]}

    await _approve(monitoring, created, RAISED, version=2)

    # The same report judged again, against version 2: EV 45 % of 150,000 against PV
    # 150,000 x 90 / 230 days, CPI 1.125.
    health = await monitoring.read_health(project_id)
    assert health["baseline_version"] == 2
    assert health["metrics"]["bac"] == 150000
    assert health["metrics"]["pv"] == pytest.approx(150000 * 90 / 230, abs=0.01)
    assert health["rag"] == "green", health["reasons"]

    # The next report is judged against version 2 too: 50 % of 150,000 for 65,000 spent
    # (CPI 1.15; the trend reads the earlier report against version 2 as well: CPI 1.125).
    next_report = monitoring.report_body(
        percent_complete=50,
        actual_cost=65000,
        milestones=[{"name": MILESTONE, "status": "in_progress", "forecast_date": _day(50)}],
    )
    judged = (await monitoring.file_report(project_id, next_report))["health"]
    assert (judged["rag"], judged["baseline_version"]) == ("green", 2), judged["reasons"]
    assert judged["metrics"]["pv"] == pytest.approx(150000 * 100 / 230, abs=0.01)

    # The earlier point stays as it was judged when it was filed: red, against version 1.
    first, second = await _history(monitoring, project_id)
    assert (first["rag"], first["baseline_version"], first["bac"]) == ("red", 1, 100000)
    assert first["pv"] == pytest.approx(45000)
    assert (second["rag"], second["baseline_version"], second["bac"]) == ("green", 2, 150000)


async def test_baseline_variance_compares_original_current_and_forecast(
    monitoring: Monitoring,
) -> None:
    created = await monitoring.known_project(baseline_version=1)
    project_id = created["project_id"]
    await _approve(monitoring, created, RAISED, version=2)
    report = monitoring.report_body(
        percent_complete=50,
        actual_cost=70000,
        milestones=[{"name": MILESTONE, "status": "in_progress", "forecast_date": _day(50)}],
    )
    health = (await monitoring.file_report(project_id, report))["health"]

    variance = await _variance(monitoring, project_id)
    assert (variance["original_version"], variance["current_version"]) == (1, 2)
    assert (variance["currency"], variance["last_report_at"]) == ("EUR", TODAY.isoformat())
    eac = health["metrics"]["eac"]  # BAC / CPI = 150,000 / (75,000 / 70,000) = 140,000
    assert eac == pytest.approx(140000)
    assert variance["budget"] == {
        "original": 100000,
        "current": 150000,
        "forecast": eac,
        "current_vs_original": 50000,
        "forecast_vs_current": pytest.approx(eac - 150000),
        "forecast_vs_original": pytest.approx(eac - 100000),
    }
    forecast_end = health["metrics"]["forecast_end_date"]
    assert forecast_end is not None
    forecast_days = (datetime.fromisoformat(forecast_end).date() - TODAY).days
    assert variance["end_date"] == {
        "original": _day(100),
        "current": _day(130),
        "forecast": forecast_end,
        "current_vs_original_days": 30,
        "forecast_vs_current_days": forecast_days - 130,
        "forecast_vs_original_days": forecast_days - 100,
    }
    assert variance["milestones"] == [
        {
            "name": MILESTONE,
            "original": _day(30),
            "current": _day(45),
            "forecast": _day(50),
            "current_vs_original_days": 15,
            "forecast_vs_current_days": 5,
            "forecast_vs_original_days": 20,
        }
    ]


async def test_variance_before_any_report_or_rebaseline_has_no_forecast(
    monitoring: Monitoring,
) -> None:
    created = await monitoring.known_project()  # a snapshot without baseline_version
    variance = await _variance(monitoring, created["project_id"])
    assert (variance["original_version"], variance["current_version"]) == (1, 1)
    assert variance["budget"]["forecast"] is None
    assert variance["budget"]["current_vs_original"] == 0
    assert variance["end_date"]["forecast"] is None
    assert variance["end_date"]["forecast_vs_current_days"] is None
    assert variance["milestones"][0]["forecast"] is None
    assert variance["last_report_at"] is None


async def test_baseline_variance_is_read_like_health(monitoring: Monitoring) -> None:
    created = await monitoring.known_project()
    url = f"/v1/projects/{created['project_id']}/baseline-variance"
    manager = monitoring.auth_header("project_manager", created["manager"])
    assert (await monitoring.client.get(url, headers=manager)).status_code == 200
    other = monitoring.auth_header("project_manager", "someone.else@example.com")
    refused = await monitoring.client.get(url, headers=other)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await monitoring.client.get(url)).status_code == 401
    unknown = await monitoring.client.get(
        "/v1/projects/00000000-0000-0000-0000-000000000000/baseline-variance",
        headers=monitoring.auth_header(),
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")


async def test_rebaselined_versions_are_kept_once_and_a_missed_one_heals(
    monitoring: Monitoring,
) -> None:
    created = await monitoring.known_project(baseline_version=1)
    project_id = created["project_id"]
    later = _baseline(180000.0, 160, 60)
    # Version 2's own event was missed: version 3's event says what it replaced.
    third = _rebaselined(project_id, 3, RAISED, later)
    assert await monitoring.deliver("project.rebaselined", third, event_id="rb-3") == (
        Outcome.APPLIED
    )
    assert await monitoring.deliver("project.rebaselined", third, event_id="rb-3") == (
        Outcome.DUPLICATE
    )
    # A re-send under another id writes the same rows again.
    assert await monitoring.deliver("project.rebaselined", third) == Outcome.APPLIED
    stored = await _stored_versions(monitoring, project_id)
    assert sorted(stored) == [1, 2, 3]
    assert (stored[1]["budget"], stored[2]["budget"], stored[3]["budget"]) == (
        100000,
        150000,
        180000,
    )
    assert (stored[3]["changed_by"], stored[3]["change_request_id"]) == (
        "pmo-admin@example.com",
        "cr-1",
    )
    assert stored[2]["changed_by"] is None  # heard of only as version 3's previous
    # project.rebaselined records versions; the projection follows project.updated only.
    assert (await monitoring.read_health(project_id))["baseline_version"] == 1


async def test_a_snapshot_without_baseline_version_keeps_the_known_one(
    monitoring: Monitoring,
) -> None:
    created = await monitoring.known_project(baseline_version=1)
    project_id = created["project_id"]
    await _approve(monitoring, created, RAISED, version=2)
    # An older producer's project.updated (a rename) says no baseline version.
    legacy = {name: value for name, value in created.items() if name != "baseline_version"}
    renamed = {**legacy, **RAISED, "name": "Apollo II", "version": 5, "changed_fields": ["name"]}
    assert await monitoring.deliver("project.updated", renamed) == Outcome.APPLIED
    health = await monitoring.read_health(project_id)
    assert (health["project_name"], health["baseline_version"]) == ("Apollo II", 2)
