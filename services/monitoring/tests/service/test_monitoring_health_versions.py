"""Every stored assessment counts the project's health version one up, and every health event
carries the version of the assessment that caused it, so consumers can order them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pmo_common.events.payloads import HealthChanged, ProjectAtRisk, ProjectRecovered
from pmo_common.messaging.event_applier import Outcome

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
RED = {"percent_complete": 40, "actual_cost": 50000}  # CPI 0.8, SPI 0.8: red
CPI_085 = {"percent_complete": 50, "actual_cost": 58823.53}  # red by default, amber if lenient
HEALTH_EVENTS: dict[str, type[HealthChanged | ProjectAtRisk | ProjectRecovered]] = {
    "project.health_changed": HealthChanged,
    "project.at_risk": ProjectAtRisk,
    "project.recovered": ProjectRecovered,
}


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def health_events(monitoring: Monitoring, project_id: str) -> list[tuple[str, int | None]]:
    """(topic, health_version) of the project's health events in the outbox, in order.

    Each payload is read by its catalog model, as a consumer would.
    """
    found = []
    for topic, envelope in await monitoring.outbox():
        if topic in HEALTH_EVENTS and envelope["subject"] == project_id:
            payload = HEALTH_EVENTS[topic].model_validate(envelope["data"])
            found.append((topic, payload.health_version))
    return found


async def test_each_report_counts_the_version_up_and_the_events_carry_it(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    other_id = (await monitoring.known_project())["project_id"]

    await monitoring.file_report(project_id, monitoring.report_body(as_of=day(-2), **RED))
    # Still red: stored (version 2) but nothing to publish.
    await monitoring.file_report(project_id, monitoring.report_body(as_of=day(-1), **RED))
    await monitoring.file_report(project_id, monitoring.report_body())
    await monitoring.file_report(other_id, monitoring.report_body(**RED))

    assert await health_events(monitoring, project_id) == [
        ("project.health_changed", 1),
        ("project.at_risk", 1),
        ("project.health_changed", 3),
        ("project.recovered", 3),
    ]
    # Versions are counted per project.
    assert await health_events(monitoring, other_id) == [
        ("project.health_changed", 1),
        ("project.at_risk", 1),
    ]


async def test_a_corrected_report_is_a_newer_version(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    await monitoring.file_report(project_id, monitoring.report_body(**RED))
    corrected = await monitoring.file_report(project_id, monitoring.report_body())
    assert corrected["replaced"] is True
    assert await health_events(monitoring, project_id) == [
        ("project.health_changed", 1),
        ("project.at_risk", 1),
        ("project.health_changed", 2),
        ("project.recovered", 2),
    ]


async def test_reassessments_on_new_thresholds_or_baseline_count_the_version_up(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project(methodology="lenient")
    project_id = project["project_id"]
    filed = await monitoring.file_report(project_id, monitoring.report_body(**CPI_085))
    assert filed["health"]["rag"] == "red"

    lenient = {
        "key": "lenient",
        "name": "Lenient",
        "version": 1,
        "phases": ["Do"],
        "report_cadence_days": 14,
        "thresholds": {"cpi_red": 0.8, "eac_red_ratio": 1.25},
    }
    assert await monitoring.deliver("standards.methodology.published", lenient) == Outcome.APPLIED
    cut = {**project, "budget": 60000.0, "version": 2, "changed_fields": ["budget"]}
    assert await monitoring.deliver("project.updated", cut) == Outcome.APPLIED

    assert await health_events(monitoring, project_id) == [
        ("project.health_changed", 1),
        ("project.at_risk", 1),
        ("project.health_changed", 2),  # red to amber under the lenient thresholds
        ("project.recovered", 2),
        ("project.health_changed", 3),  # the budget cut makes it red again
        ("project.at_risk", 3),
    ]
