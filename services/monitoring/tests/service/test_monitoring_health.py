"""Project health, per-methodology thresholds, re-assessment on change, portfolio roll-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.messaging.event_applier import Outcome

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
CPI_085 = {"percent_complete": 50, "actual_cost": 58823.53}  # CPI 0.85, EAC 1.176 x BAC
PORTFOLIO = "44444444-4444-4444-4444-444444444444"
OTHER_PORTFOLIO = "55555555-5555-5555-5555-555555555555"


def _methodology(**thresholds: float) -> dict[str, Any]:
    return {
        "key": "lenient",
        "name": "Lenient",
        "version": 1,
        "phases": ["Do"],
        "report_cadence_days": 14,
        "thresholds": thresholds,
    }


async def test_project_without_report_is_unknown_until_a_report_is_overdue(
    monitoring: Monitoring,
) -> None:
    recent = await monitoring.known_project(start_date=(TODAY - timedelta(days=5)).isoformat())
    health = await monitoring.read_health(recent["project_id"])
    assert (health["rag"], health["at_risk"], health["reasons"]) == ("unknown", False, [])
    assert all(value is None for value in health["metrics"].values())
    assert health["last_report_at"] is None
    assert health["as_of"] == TODAY.isoformat()
    assert health["next_report_due"] == (TODAY + timedelta(days=9)).isoformat()

    silent = await monitoring.known_project()  # started 100 days ago, never reported
    overdue = await monitoring.read_health(silent["project_id"])
    assert overdue["rag"] == "amber"
    assert [reason["code"] for reason in overdue["reasons"]] == ["report_overdue"]


async def test_health_after_a_report_carries_metrics_and_thresholds(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    filed = await monitoring.file_report(project["project_id"], monitoring.report_body())
    health = await monitoring.read_health(project["project_id"])
    assert health == filed["health"]
    assert (health["rag"], health["at_risk"], health["reasons"]) == ("green", False, [])
    metrics = health["metrics"]
    # On plan: half of the 100 000 budget planned, earned and spent.
    assert metrics["pv"] == metrics["ev"] == metrics["ac"] == 50000.0
    assert metrics["cpi"] == metrics["spi"] == 1.0
    assert metrics["eac"] == metrics["bac"] == 100000.0
    assert metrics["vac"] == 0.0
    assert metrics["spi_t"] == pytest.approx(1.0)
    assert metrics["forecast_end_date"] == (TODAY + timedelta(days=100)).isoformat()
    assert health["last_report_at"] == TODAY.isoformat()
    assert health["last_report_id"] == filed["id"]
    assert health["methodology"] == "waterfall"
    assert health["thresholds"]["cpi_amber"] == 0.95


async def test_manager_rag_red_makes_the_project_red(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    filed = await monitoring.file_report(
        project["project_id"],
        monitoring.report_body(manager_rag="red", summary="Key supplier went bankrupt"),
    )
    assert filed["health"]["rag"] == "red"
    assert filed["health"]["reasons"][0]["code"] == "manager_flagged"


async def test_methodology_thresholds_keep_cpi_085_amber(monitoring: Monitoring) -> None:
    lenient = _methodology(cpi_red=0.80, eac_red_ratio=1.25)
    assert await monitoring.deliver("standards.methodology.published", lenient) == Outcome.APPLIED
    project = await monitoring.known_project(methodology="lenient")
    filed = await monitoring.file_report(project["project_id"], monitoring.report_body(**CPI_085))
    health = filed["health"]
    assert health["rag"] == "amber"
    cpi = next(r for r in health["reasons"] if r["code"] == "cpi_below_threshold")
    assert (cpi["rag"], cpi["threshold"]) == ("amber", 0.95)
    assert health["thresholds_source"] == "methodology"
    topics = await monitoring.topics()
    assert "project.at_risk" not in topics
    # TCPI 1.21 needs a cost performance far above the 0.85 achieved: the optimism warning.
    assert topics[-2:] == ["project.health_changed", "project.early_warning"]


async def test_publishing_thresholds_reassesses_and_publishes_the_transition(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project(methodology="lenient")
    filed = await monitoring.file_report(project["project_id"], monitoring.report_body(**CPI_085))
    assert filed["health"]["rag"] == "red"  # the defaults: CPI below 0.90, EAC above 1.10

    await monitoring.deliver(
        "standards.methodology.published", _methodology(cpi_red=0.8, eac_red_ratio=1.25)
    )
    health = await monitoring.read_health(project["project_id"])
    assert health["rag"] == "amber"
    events = await monitoring.outbox()
    assert [topic for topic, _ in events][-2:] == ["project.health_changed", "project.recovered"]
    recovered = events[-1][1]
    assert recovered["source"] == "/pmo/monitoring"
    assert (recovered["data"]["previous_rag"], recovered["data"]["rag"]) == ("red", "amber")


async def test_baseline_change_reassesses_the_latest_report(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    await monitoring.file_report(project["project_id"], monitoring.report_body())
    cut = {**project, "budget": 60000.0, "version": 2, "changed_fields": ["budget"]}
    assert await monitoring.deliver("project.updated", cut) == Outcome.APPLIED
    health = await monitoring.read_health(project["project_id"])
    assert health["rag"] == "red"
    assert health["metrics"]["bac"] == 60000.0
    topics = await monitoring.topics()
    # TCPI 3.0 on the cut budget: the optimism warning starts with the red.
    assert topics[-3:] == ["project.health_changed", "project.at_risk", "project.early_warning"]


async def test_portfolio_roll_up_sums_and_filters(monitoring: Monitoring) -> None:
    ada = await monitoring.known_project(name="Ada's", portfolio_id=PORTFOLIO)
    bob = await monitoring.known_project(
        name="Bob's", manager="bob@example.com", portfolio_id=PORTFOLIO, budget=200000.0
    )
    silent = await monitoring.known_project(
        name="Silent", portfolio_id=PORTFOLIO, start_date=(TODAY - timedelta(days=3)).isoformat()
    )
    elsewhere = await monitoring.known_project(name="Elsewhere", portfolio_id=OTHER_PORTFOLIO)
    await monitoring.file_report(ada["project_id"], monitoring.report_body())
    # Bob's: EV 80 000 (40 %), PV 100 000, AC 100 000 -> red on its own.
    await monitoring.file_report(
        bob["project_id"], monitoring.report_body(percent_complete=40, actual_cost=100000)
    )
    await monitoring.file_report(elsewhere["project_id"], monitoring.report_body())

    rolled = await monitoring.read_portfolio_health(
        monitoring.auth_header("viewer"), portfolio_id=PORTFOLIO
    )
    assert (rolled["project_count"], rolled["reporting_count"]) == (3, 2)
    assert rolled["rag_counts"] == {"green": 1, "amber": 0, "red": 1, "unknown": 1}
    assert (rolled["ev"], rolled["pv"], rolled["ac"], rolled["bac"]) == (
        130000.0,
        150000.0,
        150000.0,
        300000.0,
    )
    assert rolled["eac"] == pytest.approx(100000.0 + 250000.0)
    assert rolled["cpi"] == pytest.approx(130000 / 150000, abs=1e-4)
    assert rolled["spi"] == pytest.approx(130000 / 150000, abs=1e-4)
    assert rolled["currency"] == "EUR"
    assert rolled["rag"] == "red"  # from the summed indices: 0.87 < 0.90
    names = [item["name"] for item in rolled["projects"]["items"]]
    assert names == ["Bob's", "Ada's", "Silent"]  # worst first
    assert silent["project_id"] in {item["project_id"] for item in rolled["projects"]["items"]}

    paged = await monitoring.read_portfolio_health(portfolio_id=PORTFOLIO, limit=1)
    assert [item["name"] for item in paged["projects"]["items"]] == ["Bob's"]
    assert paged["projects"]["next_offset"] == 1
    assert paged["project_count"] == 3

    everything = await monitoring.read_portfolio_health()
    assert everything["project_count"] == 4

    own = await monitoring.read_portfolio_health(
        monitoring.auth_header("project_manager", "bob@example.com")
    )
    assert [item["name"] for item in own["projects"]["items"]] == ["Bob's"]
    assert (own["ev"], own["bac"]) == (80000.0, 200000.0)


async def test_roll_up_keeps_currencies_apart(monitoring: Monitoring) -> None:
    for name, currency in (("Euro", "EUR"), ("Pound", "GBP")):
        project = await monitoring.known_project(name=name, currency=currency)
        await monitoring.file_report(project["project_id"], monitoring.report_body())
    rolled = await monitoring.read_portfolio_health()
    assert rolled["currency"] is None and rolled["ev"] is None
    assert [totals["currency"] for totals in rolled["totals"]] == ["EUR", "GBP"]
    assert rolled["notes"]


async def test_closed_projects_leave_the_roll_up_unless_asked_for(monitoring: Monitoring) -> None:
    await monitoring.close_project(await monitoring.known_project())
    rolled = await monitoring.read_portfolio_health()
    assert rolled["project_count"] == 0
    with_closed = await monitoring.read_portfolio_health(include_closed="true")
    assert with_closed["project_count"] == 1
