"""The health answer's details (EAC variants, TSPI, milestones, risks, trend, forecast) and
hysteresis against the previous report's assessment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
DETAILS = ("eac_variants", "tcpi_eac", "tspi", "sv_t", "milestones", "risks", "trend")


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def test_before_any_report_the_details_are_empty(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    health = await monitoring.read_health(project["project_id"])
    assert all(health[name] is None for name in DETAILS)
    assert health["forecast"] == {
        "forecast_end_date": None,
        "planned_end_date": _day(100),
        "slip_days": None,
        "message": "No forecast yet: no status report has been received.",
    }


async def test_details_of_a_late_and_overspent_project(monitoring: Monitoring) -> None:
    project = await monitoring.known_project(
        milestones=[
            {"name": "Kick-off", "due_date": _day(-20)},
            {"name": "Design signed off", "due_date": _day(30)},
        ]
    )
    # 40 % done after 100 of 200 days, 50 000 spent: EV 40 000, PV 50 000, CPI = SPI = 0.8.
    body = monitoring.report_body(
        percent_complete=40,
        actual_cost=50000,
        milestones=[
            {"name": "Design signed off", "status": "in_progress", "forecast_date": _day(45)}
        ],
        risks=[
            {"title": "Minor", "probability": 0.2, "impact": 1},
            {"title": "Supplier late", "probability": 0.5, "impact": 4},
            {"title": "Key engineer leaves", "probability": 0.1, "impact": 2},
            {"title": "Regulator", "probability": 0.9, "impact": 5},
        ],
    )
    filed = (await monitoring.file_report(project["project_id"], body))["health"]
    health = await monitoring.read_health(project["project_id"])
    assert health == filed

    assert health["eac_variants"] == {
        "cpi": {"eac": 125000.0, "etc": 75000.0, "formula": "BAC / CPI"},
        "atypical": {"eac": 110000.0, "etc": 60000.0, "formula": "AC + (BAC - EV)"},
        "composite": {
            "eac": 143750.0,
            "etc": 93750.0,
            "formula": "AC + (BAC - EV) / (CPI x SPI)",
        },
    }
    assert health["metrics"]["eac"] == health["eac_variants"]["cpi"]["eac"]
    assert health["tcpi_eac"] == pytest.approx(0.8)  # equals CPI by construction
    # Earned schedule 80 days after 100: TSPI = (200 - 80) / (200 - 100), SV(t) = -20 days.
    assert health["tspi"] == pytest.approx(1.2)
    assert health["sv_t"] == pytest.approx(-20.0)
    assert health["sv_t"] == health["metrics"]["sv_t"]

    milestones = health["milestones"]
    assert (milestones["as_of"], milestones["late_count"]) == (_day(0), 1)
    assert (milestones["worst"], milestones["worst_slip_days"]) == ("Kick-off", 20)
    kick_off, design = milestones["items"]
    assert kick_off == {
        "name": "Kick-off",
        "due_date": _day(-20),
        "status": None,
        "done": False,
        "days_late": 20,
        "forecast_date": None,
        "forecast_slip_days": None,
        "slip_days": 20,
    }
    assert (design["status"], design["days_late"], design["forecast_slip_days"]) == (
        "in_progress",
        0,
        15,
    )

    risks = health["risks"]
    assert (risks["count"], risks["total_exposure"]) == (4, pytest.approx(6.9))
    assert [(r["title"], r["exposure"]) for r in risks["top"]] == [
        ("Regulator", 4.5),
        ("Supplier late", 2.0),
        ("Minor", 0.2),
    ]

    trend = health["trend"]
    assert (trend["reports"], trend["cpi"]["points"], trend["cpi"]["direction"]) == (1, 1, None)
    assert trend["cpi"]["latest"] == 0.8
    # TCPI 60 000 / 50 000 = 1.2: the budget needs a miracle.
    assert trend["early_warning"] is True
    assert [w["code"] for w in trend["warnings"]] == ["optimism_warning"]
    assert "optimism_warning" in [r["code"] for r in health["reasons"]]

    # PD / SPI(t) = 250 days from the start: 50 days after the planned end.
    forecast = health["forecast"]
    assert forecast["forecast_end_date"] == health["metrics"]["forecast_end_date"] == _day(150)
    assert (forecast["planned_end_date"], forecast["slip_days"]) == (_day(100), 50)
    assert forecast["message"] == (
        f"At the current pace (SPI(t) 0.80) the project finishes on {_day(150)}, "
        f"50 days after its planned end on {_day(100)}."
    )


async def test_a_declining_cpi_warns_while_still_green_by_the_thresholds(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    # On plan each week (EV = PV), CPI 1.10, then 1.05, then 1.00.
    for back, percent, cpi in ((14, 43.0, 1.10), (7, 46.5, 1.05), (0, 50.0, 1.00)):
        body = monitoring.report_body(
            as_of=_day(-back), percent_complete=percent, actual_cost=percent * 1000 / cpi
        )
        health = (await monitoring.file_report(project["project_id"], body))["health"]
    assert health["rag"] == "amber"
    assert [r["code"] for r in health["reasons"]] == ["trend_warning"]
    trend = health["trend"]
    assert (trend["reports"], trend["cpi"]["direction"], trend["spi_t"]["direction"]) == (
        3,
        "declining",
        "stable",
    )
    assert trend["cpi"]["slope_per_30_days"] == pytest.approx(-0.2143, abs=1e-3)
    assert trend["early_warning"] is True
    assert trend["warnings"][0]["metric"] == "cpi_days_to_red"


async def test_forecast_when_done_and_when_not_computable(monitoring: Monitoring) -> None:
    done = await monitoring.known_project(name="Done early")
    filed = await monitoring.file_report(
        done["project_id"], monitoring.report_body(percent_complete=100, actual_cost=100000)
    )
    health = filed["health"]
    assert health["forecast"]["slip_days"] == -100
    assert health["forecast"]["message"] == (
        f"The work was reported complete on {_day(0)}, 100 days before its planned end on "
        f"{_day(100)}."
    )

    started = await monitoring.known_project(name="Just started", start_date=_day(0))
    filed = await monitoring.file_report(
        started["project_id"], monitoring.report_body(percent_complete=0, actual_cost=0)
    )
    health = filed["health"]
    assert health["forecast"]["forecast_end_date"] is None
    assert health["forecast"]["message"].startswith("SPI(t) cannot be computed")


async def test_hysteresis_holds_red_until_cpi_clears_the_margin(monitoring: Monitoring) -> None:
    """CPI 0.85 (red), then 0.91 — above red, but within 0.02 of it — stays red without a
    second at_risk; 0.93 clears the margin and the project recovers to amber."""
    project = await monitoring.known_project()
    project_id = project["project_id"]

    def on_plan(back: int, cpi: float) -> dict[str, Any]:
        percent = 50 - back / 2  # EV = PV on the straight line
        return monitoring.report_body(
            as_of=_day(-back), percent_complete=percent, actual_cost=percent * 1000 / cpi
        )

    # Ten days apart, so that the cumulative cost still grows while CPI improves.
    red = (await monitoring.file_report(project_id, on_plan(20, 0.85)))["health"]
    assert red["rag"] == "red"
    held = (await monitoring.file_report(project_id, on_plan(10, 0.91)))["health"]
    assert held["rag"] == "red"
    cpi = next(r for r in held["reasons"] if r["code"] == "cpi_below_threshold")
    assert cpi["rag"] == "red"
    assert cpi["value"] == pytest.approx(0.91, abs=1e-4)
    assert await monitoring.read_health(project_id) == held

    recovered = (await monitoring.file_report(project_id, on_plan(0, 0.93)))["health"]
    assert recovered["rag"] == "amber"
    transitions = ("project.health_changed", "project.at_risk", "project.recovered")
    topics = [topic for topic, _ in await monitoring.outbox() if topic in transitions]
    assert topics == [
        "project.health_changed",
        "project.at_risk",
        "project.health_changed",
        "project.recovered",
    ]


async def test_a_correction_is_judged_against_the_report_before_it_not_against_itself(
    monitoring: Monitoring,
) -> None:
    """A mistyped red report corrected the same day does not hold the correction red."""
    project = await monitoring.known_project()
    project_id = project["project_id"]
    on_plan_cpi_091 = monitoring.report_body(percent_complete=50, actual_cost=50000 / 0.91)
    typo = (await monitoring.file_report(project_id, monitoring.report_body(percent_complete=5)))[
        "health"
    ]
    assert typo["rag"] == "red"
    corrected = (await monitoring.file_report(project_id, on_plan_cpi_091))["health"]
    assert corrected["rag"] == "amber"  # CPI 0.91 is amber; nothing earlier was red
    assert (await monitoring.read_health(project_id))["rag"] == "amber"
