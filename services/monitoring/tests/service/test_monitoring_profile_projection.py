"""The projected planned-value profile: carried by project.created/updated, used for PV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.db import projection_repository as projections

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def _stored_profile(app: FastAPI, project_id: str) -> Any:
    async with app.state.runtime.sessions() as session:
        project = await projections.get_project(session, project_id=project_id)
    assert project is not None
    return [
        {"date": point.on.isoformat(), "percent": point.percent}
        for point in project.planned_value_profile
    ]


async def test_profile_is_projected_and_sets_planned_value(monitoring: Monitoring) -> None:
    # Front-loaded plan: 80 % of the budget by today (half-way through the 200 days).
    profile = [{"date": _day(0), "percent": 80.0}]
    data = monitoring.project_data(planned_value_profile=profile)
    assert await monitoring.deliver("project.created", data) == Outcome.APPLIED
    assert await _stored_profile(monitoring.app, data["project_id"]) == profile

    filed = await monitoring.file_report(data["project_id"], monitoring.report_body())
    metrics = filed["health"]["metrics"]
    assert (metrics["pv"], metrics["ev"], metrics["spi"]) == (80000.0, 50000.0, 0.625)
    assert filed["health"]["rag"] == "red"
    assert "spi_below_threshold" in [r["code"] for r in filed["health"]["reasons"]]


async def test_an_update_replaces_the_profile_and_reassesses(monitoring: Monitoring) -> None:
    data = monitoring.project_data()
    assert await monitoring.deliver("project.created", data) == Outcome.APPLIED
    assert await _stored_profile(monitoring.app, data["project_id"]) == []
    filed = await monitoring.file_report(data["project_id"], monitoring.report_body())
    assert (filed["health"]["rag"], filed["health"]["metrics"]["pv"]) == ("green", 50000.0)

    slower = [{"date": _day(0), "percent": 20.0}, {"date": _day(50), "percent": 60.0}]
    updated = {
        **data,
        "planned_value_profile": slower,
        "version": 2,
        "changed_fields": ["planned_value_profile"],
    }
    assert await monitoring.deliver("project.updated", updated) == Outcome.APPLIED
    assert await _stored_profile(monitoring.app, data["project_id"]) == slower
    health = await monitoring.read_health(data["project_id"])
    assert (health["metrics"]["pv"], health["metrics"]["spi"]) == (20000.0, 2.5)

    cleared = {**updated, "planned_value_profile": [], "version": 3}
    assert await monitoring.deliver("project.updated", cleared) == Outcome.APPLIED
    assert await _stored_profile(monitoring.app, data["project_id"]) == []


async def test_an_event_without_a_profile_means_a_straight_line(monitoring: Monitoring) -> None:
    """Events from before the profile existed do not carry the field."""
    data = monitoring.project_data()
    data.pop("planned_value_profile", None)
    assert await monitoring.deliver("project.created", data) == Outcome.APPLIED
    assert await _stored_profile(monitoring.app, data["project_id"]) == []


async def test_a_profile_the_rules_cannot_use_is_dead_lettered(monitoring: Monitoring) -> None:
    data = monitoring.project_data()
    assert await monitoring.deliver("project.created", data) == Outcome.APPLIED
    outside = {
        **data,
        "planned_value_profile": [{"date": _day(500), "percent": 50.0}],
        "version": 2,
    }
    assert await monitoring.deliver("project.updated", outside) == Outcome.DEAD_LETTERED
    decreasing = {
        **data,
        "planned_value_profile": [
            {"date": _day(-10), "percent": 60.0},
            {"date": _day(10), "percent": 40.0},
        ],
        "version": 2,
    }
    assert await monitoring.deliver("project.updated", decreasing) == Outcome.DEAD_LETTERED
    async with monitoring.app.state.runtime.sessions() as session:
        project = await projections.get_project(session, project_id=data["project_id"])
    assert project is not None
    assert (project.version, project.planned_value_profile) == (1, ())
