"""Cross-project dependencies at risk: slip days, amber and red against the red milestone
tolerance, closed items and closed or unforecast upstreams ignored, the RAG they make."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pmo_monitoring.domain.dependencies import (
    UpstreamDependency,
    dependency_reason,
    dependency_reasons,
    slip_days,
    slip_rag,
    with_register,
)
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health
from pmo_monitoring.domain.model import ProjectBaseline, Risk, StatusReport, Thresholds
from pmo_monitoring.domain.phrases import worded
from pmo_monitoring.domain.reasons import ReasonCode
from pmo_monitoring.domain.risk_exposure import register_exposure
from pmo_monitoring.languages import message_language

NEEDED_BY = date(2026, 9, 1)
DEFAULTS = Thresholds()  # red beyond 14 days late


def dependency(
    slip: int | None, *, open_: bool = True, upstream_closed: bool = False
) -> UpstreamDependency:
    return UpstreamDependency(
        title="Identity platform live",
        needed_by=NEEDED_BY,
        open=open_,
        upstream_id="up-1",
        upstream_name="Hermes",
        upstream_closed=upstream_closed,
        upstream_forecast_end=None if slip is None else NEEDED_BY + timedelta(days=slip),
    )


def test_slip_days_count_only_a_forecast_end_after_the_date_needed() -> None:
    assert slip_days(NEEDED_BY + timedelta(days=9), NEEDED_BY) == 9
    assert slip_days(NEEDED_BY, NEEDED_BY) == 0
    assert slip_days(NEEDED_BY - timedelta(days=30), NEEDED_BY) == 0
    assert slip_days(None, NEEDED_BY) == 0


@pytest.mark.parametrize(
    ("slip", "rag"), [(0, None), (1, "amber"), (14, "amber"), (15, "red"), (90, "red")]
)
def test_amber_when_late_red_beyond_the_red_milestone_tolerance(slip: int, rag: str) -> None:
    assert slip_rag(slip, DEFAULTS) == rag
    reason = dependency_reason(dependency(slip), DEFAULTS)
    assert (reason.rag if reason is not None else None) == rag


def test_a_methodology_tolerance_moves_the_red_limit() -> None:
    strict = Thresholds(milestone_red_days_late=3)
    reason = dependency_reason(dependency(4), strict)
    assert reason is not None
    assert (reason.rag, reason.value, reason.threshold) == ("red", 4.0, 3.0)


def test_the_reason_names_the_upstream_project_and_the_slip_in_english_and_french() -> None:
    reason = dependency_reason(dependency(20), DEFAULTS)
    assert reason is not None
    assert reason.code == ReasonCode.DEPENDENCY_AT_RISK
    assert (reason.metric, reason.value, reason.threshold) == ("dependency_slip_days", 20.0, 14.0)
    assert reason.message == (
        'Project "Hermes" is forecast to finish on 2026-09-21, 20 days after "Identity platform '
        'live" needs it (by 2026-09-01); red beyond 14 days late.'
    )
    french = worded(reason.message, message_language("fr"))
    assert "Hermes" in french and "20 jours" in french
    assert french.startswith("Le projet «\u00a0Hermes\u00a0» devrait se terminer le 21 sept. 2026")


def test_closed_items_closed_upstreams_and_unknown_forecasts_raise_nothing() -> None:
    ignored = [
        dependency(30, open_=False),
        dependency(30, upstream_closed=True),
        dependency(None),
        dependency(-5),
    ]
    assert dependency_reasons(ignored, DEFAULTS) == []
    assert len(dependency_reasons([*ignored, dependency(3)], DEFAULTS)) == 1


def _green_assessment() -> HealthAssessment:
    start = NEEDED_BY - timedelta(days=100)
    plan = ProjectBaseline(
        project_id="down",
        name="Downstream",
        start_date=start,
        end_date=start + timedelta(days=200),
        budget=100_000.0,
    )
    status = StatusReport(
        as_of=start + timedelta(days=100),
        percent_complete=50,
        actual_cost=50_000,
        risks=(Risk("Typed in the report", 1.0, 5),),
    )
    return assess_health(plan, status, DEFAULTS, status.as_of, None)


def test_a_dependency_at_risk_turns_a_green_project_amber_then_red() -> None:
    green = _green_assessment()
    assert green.rag == "green"

    amber = with_register(green, dependencies=dependency_reasons([dependency(5)], DEFAULTS))
    red = with_register(green, dependencies=dependency_reasons([dependency(20)], DEFAULTS))

    assert amber.rag == "amber"
    assert [r.code for r in amber.reasons] == [ReasonCode.DEPENDENCY_AT_RISK]
    assert red.rag == "red"
    assert with_register(green) is green


def test_the_register_s_open_risks_replace_the_report_s_once_it_holds_any() -> None:
    green = _green_assessment()
    assert green.risks is not None and green.risks.total == 5.0

    register = register_exposure([Risk("Supplier late", 0.5, 4)], register_has_risks=True)
    all_closed = register_exposure([], register_has_risks=True)
    none_kept = register_exposure([], register_has_risks=False)

    assert register is not None and register.total == 2.0
    assert with_register(green, risks=register).risks == register
    assert all_closed is not None and all_closed.total == 0
    assert none_kept is None  # the report's own risks stand
