"""Early warnings published once per episode: project.early_warning when a report first shows
one, nothing while later reports still show it, project.early_warning_cleared when one no
longer does. Back-dated and corrected reports and re-assessments start no second episode.

The project runs from day -100 to day +100 on a straight line, so a report of day `offset`
exactly on schedule is (100 + offset) / 2 percent complete; its CPI is set by its actual cost.
A CPI falling 1.00 -> 0.985 a week later is forecast below 0.90 in 39.7 days: a trend warning.
"""

from __future__ import annotations

from typing import Any

from pmo_common.messaging.event_applier import Outcome

from .conftest import MANAGER, Monitoring, corrected, days

PORTFOLIO = "33333333-3333-3333-3333-333333333333"
SPONSOR = "grace@example.com"
WARNINGS = ("project.early_warning", "project.early_warning_cleared")


def on_schedule(offset: int, cpi: float) -> dict[str, Any]:
    """A report of day `offset`, on schedule (SPI 1) with this CPI."""
    percent = (100 + offset) / 2
    body: dict[str, Any] = Monitoring.report_body(
        as_of=days(offset).isoformat(),
        percent_complete=percent,
        actual_cost=1000 * percent / cpi,
    )
    return body


async def file_series(monitoring: Monitoring, project_id: str, *reports: tuple[int, float]) -> Any:
    """File reports given as (offset, CPI) in turn; the health the last one answered."""
    filed: Any = None
    for offset, cpi in reports:
        filed = await monitoring.file_report(project_id, on_schedule(offset, cpi))
    return filed["health"]


async def warnings_published(monitoring: Monitoring) -> list[tuple[str, dict[str, Any]]]:
    """The early-warning events in the outbox, in order: (topic, data)."""
    return [
        (topic, event["data"]) for topic, event in await monitoring.outbox() if topic in WARNINGS
    ]


async def test_a_first_warning_publishes_one_early_warning_with_its_forecast(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project(portfolio_id=PORTFOLIO)
    project_id = project["project_id"]
    await file_series(monitoring, project_id, (-14, 1.0))
    assert await warnings_published(monitoring) == []

    health = await file_series(monitoring, project_id, (-7, 0.985))

    assert health["rag"] == "amber"
    assert [r["code"] for r in health["reasons"]] == ["trend_warning"]
    [(topic, warning)] = await warnings_published(monitoring)
    assert topic == "project.early_warning"
    assert (warning["project_id"], warning["project_name"]) == (project_id, "Apollo")
    assert (warning["manager"], warning["sponsor"]) == (MANAGER, SPONSOR)
    assert warning["portfolio_id"] == PORTFOLIO
    assert (warning["code"], warning["metric"]) == ("trend_warning", "cpi")
    assert warning["message"].startswith("At this trend CPI falls below 0.90 in about 6 weeks.")
    # In every language, as the reason it comes from.
    assert warning["messages"]["en"] == warning["message"]
    assert "0,90" in warning["messages"]["fr"] and "semaines" in warning["messages"]["fr"]
    assert (warning["value"], warning["threshold"]) == (0.985, 0.9)
    # 39.7 days from the report of day -7: the line is below 0.90 from day 33.
    assert warning["forecast_crossing_date"] == days(33).isoformat()
    assert warning["as_of"] == days(-7).isoformat()
    assert warning["health_version"] == 2


async def test_a_warning_still_shown_publishes_nothing_more(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    await file_series(monitoring, project_id, (-14, 1.0), (-7, 0.985))
    published = await monitoring.topics()

    health = await file_series(monitoring, project_id, (0, 0.975))

    assert "trend_warning" in [r["code"] for r in health["reasons"]]
    assert (await monitoring.topics())[len(published) :] == ["project.status_reported"]
    assert [topic for topic, _ in await warnings_published(monitoring)] == ["project.early_warning"]


async def test_a_report_without_the_warning_publishes_early_warning_cleared(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project(portfolio_id=PORTFOLIO)
    project_id = project["project_id"]
    await file_series(monitoring, project_id, (-14, 1.0), (-7, 0.985))

    health = await file_series(monitoring, project_id, (0, 1.02))  # improving again

    assert health["rag"] == "green"
    topics = [topic for topic, _ in await warnings_published(monitoring)]
    assert topics == ["project.early_warning", "project.early_warning_cleared"]
    cleared = (await warnings_published(monitoring))[-1][1]
    assert (cleared["code"], cleared["metric"]) == ("trend_warning", "cpi")
    assert (cleared["manager"], cleared["sponsor"]) == (MANAGER, SPONSOR)
    assert cleared["portfolio_id"] == PORTFOLIO
    assert (cleared["as_of"], cleared["health_version"]) == (days(0).isoformat(), 3)


async def test_a_warning_after_clearing_starts_a_new_episode(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    await file_series(monitoring, project_id, (-28, 1.0), (-21, 0.985), (-14, 1.02))

    health = await file_series(monitoring, project_id, (-7, 0.96))

    assert "trend_warning" in [r["code"] for r in health["reasons"]]
    published = await warnings_published(monitoring)
    assert [(topic, data["health_version"]) for topic, data in published] == [
        ("project.early_warning", 2),
        ("project.early_warning_cleared", 3),
        ("project.early_warning", 4),
    ]
    assert published[-1][1]["value"] == 0.96


async def test_back_dated_corrected_and_reassessed_reports_start_no_second_episode(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    await file_series(monitoring, project_id, (-14, 1.0), (-7, 0.985))

    # Back-dated between the two: the newest is judged again with it in its trend.
    back_dated = (await monitoring.file_report(project_id, corrected(on_schedule(-10, 0.99))))[
        "health"
    ]
    # The newest day corrected: a new health version showing the same warning.
    newest_corrected = await file_series(monitoring, project_id, (-7, 0.984))
    # A new baseline version: re-assessed by the consumer, then the same event redelivered.
    renamed = {**project, "name": "Apollo II", "version": 2, "changed_fields": ["name"]}
    event_id = "5f0d3c5e-3a51-4c1e-9d7e-0b0b0b0b0b0b"
    assert await monitoring.deliver("project.updated", renamed, event_id=event_id) == (
        Outcome.APPLIED
    )
    assert await monitoring.deliver("project.updated", renamed, event_id=event_id) != (
        Outcome.APPLIED
    )

    for health in (back_dated, newest_corrected, await monitoring.read_health(project_id)):
        assert "trend_warning" in [r["code"] for r in health["reasons"]]
    assert [topic for topic, _ in await warnings_published(monitoring)] == ["project.early_warning"]


async def test_health_changed_names_the_people_to_tell(monitoring: Monitoring) -> None:
    project = await monitoring.known_project(portfolio_id=PORTFOLIO)

    await monitoring.file_report(project["project_id"], monitoring.report_body())

    [changed] = [e["data"] for t, e in await monitoring.outbox() if t == "project.health_changed"]
    assert (changed["previous_rag"], changed["rag"]) == (None, "green")
    assert (changed["manager"], changed["sponsor"]) == (MANAGER, SPONSOR)
    assert changed["portfolio_id"] == PORTFOLIO


async def test_status_reported_carries_the_health_the_report_left(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    red = {"percent_complete": 40, "actual_cost": 50000}  # CPI 0.8, SPI 0.8
    await monitoring.file_report(project_id, monitoring.report_body(**red))
    # Back-dated and healthy: the project's health is still its newest report's, red.
    await monitoring.file_report(project_id, corrected(on_schedule(-7, 1.0)))

    first, back_dated = [
        e["data"] for t, e in await monitoring.outbox() if t == "project.status_reported"
    ]
    assert (first["rag"], first["health_version"]) == ("red", 1)
    assert (first["metrics"]["cpi"], first["metrics"]["spi"]) == (0.8, 0.8)
    assert {"cpi_below_threshold", "spi_below_threshold"} <= {r["code"] for r in first["reasons"]}
    assert (back_dated["as_of"], back_dated["percent_complete"]) == (days(-7).isoformat(), 46.5)
    assert (back_dated["rag"], back_dated["health_version"]) == ("red", 2)
    assert back_dated["metrics"]["cpi"] == 0.8
