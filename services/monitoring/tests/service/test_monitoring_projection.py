"""Monitoring's projections of intake's projects and standards' methodologies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pmo_common.messaging.event_applier import Outcome

if TYPE_CHECKING:
    from conftest import Monitoring


async def test_created_updated_stale_closed(monitoring: Monitoring) -> None:
    created = monitoring.project_data()
    project_id = created["project_id"]
    assert await monitoring.deliver("project.created", created) == Outcome.APPLIED
    health = await monitoring.read_health(project_id)
    assert health["project_name"] == "Apollo"
    assert health["status"] == "active"

    renamed = {**created, "name": "Apollo II", "budget": 120000.0, "version": 2}
    assert await monitoring.deliver("project.updated", {**renamed, "changed_fields": ["name"]}) == (
        Outcome.APPLIED
    )
    assert (await monitoring.read_health(project_id))["project_name"] == "Apollo II"

    stale = {**created, "name": "Old name", "version": 2}
    assert await monitoring.deliver("project.updated", stale) == Outcome.APPLIED
    older = {**created, "name": "Older name", "version": 1}
    assert await monitoring.deliver("project.updated", older) == Outcome.APPLIED
    assert (await monitoring.read_health(project_id))["project_name"] == "Apollo II"

    closed = {
        "project_id": project_id,
        "name": "Apollo II",
        "closed_at": datetime.now(UTC).isoformat(),
        "version": 3,
    }
    assert await monitoring.deliver("project.closed", closed) == Outcome.APPLIED
    assert (await monitoring.read_health(project_id))["status"] == "closed"
    late_update = {**renamed, "name": "Too late", "version": 3}
    await monitoring.deliver("project.updated", late_update)
    after = await monitoring.read_health(project_id)
    assert (after["status"], after["project_name"]) == ("closed", "Apollo II")


async def test_redelivered_event_applies_once(monitoring: Monitoring) -> None:
    data = monitoring.project_data()
    assert await monitoring.deliver("project.created", data, event_id="evt-1") == Outcome.APPLIED
    assert await monitoring.deliver("project.created", data, event_id="evt-1") == Outcome.DUPLICATE


async def test_update_before_create_is_projected(monitoring: Monitoring) -> None:
    data = monitoring.project_data(version=4, name="Late joiner")
    assert await monitoring.deliver("project.updated", data) == Outcome.APPLIED
    health = await monitoring.read_health(data["project_id"])
    assert health["project_name"] == "Late joiner"


async def test_closing_an_unknown_project_is_dead_lettered(monitoring: Monitoring) -> None:
    closed = {
        "project_id": "11111111-1111-1111-1111-111111111111",
        "name": "Ghost",
        "closed_at": datetime.now(UTC).isoformat(),
        "version": 2,
    }
    assert await monitoring.deliver("project.closed", closed) == Outcome.DEAD_LETTERED


def _methodology(version: int, **thresholds: float) -> dict[str, Any]:
    return {
        "key": "prince2",
        "name": "PRINCE2",
        "version": version,
        "phases": ["Starting up", "Initiating", "Delivering", "Closing"],
        "report_cadence_days": 7,
        "thresholds": thresholds,
    }


async def test_newer_methodology_versions_win(monitoring: Monitoring) -> None:
    data = monitoring.project_data(methodology="prince2")
    await monitoring.deliver("project.created", data)
    before = await monitoring.read_health(data["project_id"])
    assert before["thresholds_source"] == "defaults"
    assert before["thresholds"]["cpi_red"] == 0.9

    assert await monitoring.deliver(
        "standards.methodology.published", _methodology(2, cpi_red=0.8)
    ) == (Outcome.APPLIED)
    assert await monitoring.deliver(
        "standards.methodology.published", _methodology(1, cpi_red=0.7)
    ) == (Outcome.APPLIED)
    after = await monitoring.read_health(data["project_id"])
    assert after["thresholds_source"] == "methodology"
    assert after["methodology_version"] == 2
    assert after["thresholds"]["cpi_red"] == 0.8
    assert after["thresholds"]["report_cadence_days"] == 7  # the methodology's own cadence
    assert after["thresholds"]["cpi_amber"] == 0.95  # not overridden: the default stays


async def test_methodology_with_inconsistent_thresholds_is_dead_lettered(
    monitoring: Monitoring,
) -> None:
    data = monitoring.project_data(methodology="prince2")
    await monitoring.deliver("project.created", data)
    await monitoring.deliver("standards.methodology.published", _methodology(1, cpi_red=0.8))
    broken = _methodology(2, cpi_red=0.99, cpi_amber=0.9)
    assert (
        await monitoring.deliver("standards.methodology.published", broken) == Outcome.DEAD_LETTERED
    )
    health = await monitoring.read_health(data["project_id"])
    assert (health["methodology_version"], health["thresholds"]["cpi_red"]) == (1, 0.8)


async def test_compliance_verdict_is_shown_with_health(monitoring: Monitoring) -> None:
    data = monitoring.project_data()
    await monitoring.deliver("project.created", data)
    verdict = {
        "project_id": data["project_id"],
        "methodology": "waterfall",
        "compliant": False,
        "score": 0.5,
        "findings": [{"code": "missing_deliverable", "message": "No charter"}],
    }
    assert await monitoring.deliver("project.compliance.evaluated", verdict) == Outcome.APPLIED
    health = await monitoring.read_health(data["project_id"])
    assert health["compliance"]["compliant"] is False
    assert health["compliance"]["findings"][0]["code"] == "missing_deliverable"
