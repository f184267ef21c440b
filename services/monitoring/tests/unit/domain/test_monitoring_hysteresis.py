"""Hysteresis: a signal hovering at a threshold keeps its colour instead of flapping."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health
from pmo_monitoring.domain.hysteresis import (
    NO_HYSTERESIS,
    HysteresisMargins,
    judge_above,
    judge_below,
    judge_signals,
    signal_rags,
)
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport, Thresholds
from pmo_monitoring.domain.reasons import ReasonCode
from pmo_monitoring.domain.transitions import decide_transition

START = date(2024, 1, 1)
DEFAULTS = Thresholds()


def cpi_colours(values: list[float], margin: float = 0.02) -> list[str]:
    colours: list[str] = []
    previous: str | None = None
    for value in values:
        judged = judge_below(value, amber=0.95, red=0.90, previous=previous, margin=margin)
        previous = None if judged is None else judged.rag
        colours.append(previous or "green")
    return colours


def test_cpi_hovering_at_red_stays_red_until_it_clears_by_the_margin() -> None:
    values = [0.89, 0.905, 0.895, 0.91, 0.93, 0.96, 0.975]

    assert cpi_colours(values, margin=0) == [
        "red", "amber", "red", "amber", "amber", "green", "green"
    ]  # fmt: skip
    # Red until >= 0.92, then amber until >= 0.97.
    assert cpi_colours(values) == ["red", "red", "red", "red", "amber", "amber", "green"]


def test_one_at_risk_and_one_recovery_instead_of_a_flap() -> None:
    def events(colours: list[str]) -> list[str]:
        previous: str | None = None
        published: list[str] = []
        for colour in colours:
            published.extend(decide_transition(previous, colour).event_types)
            previous = colour
        return [event for event in published if event != "project.health_changed"]

    values = [0.89, 0.905, 0.895, 0.91, 0.93]

    assert events(cpi_colours(values, margin=0)) == [
        "project.at_risk", "project.recovered", "project.at_risk", "project.recovered"
    ]  # fmt: skip
    assert events(cpi_colours(values)) == ["project.at_risk", "project.recovered"]


def test_worsening_is_never_delayed() -> None:
    assert cpi_colours([0.96, 0.899]) == ["green", "red"]
    assert cpi_colours([0.94, 0.899]) == ["amber", "red"]


def test_eac_stays_red_until_a_percentage_point_below_the_red_limit() -> None:
    # BAC 100,000: red above 110,000; once red, red until <= 109,000, amber until <= 104,000.
    def judge(eac: float, previous: str | None) -> str:
        judged = judge_above(eac, amber=105_000, red=110_000, previous=previous, margin=1_000)
        return "green" if judged is None else judged.rag

    assert judge(109_500, "red") == "red"
    assert judge(109_500, None) == "amber"
    assert judge(108_900, "red") == "amber"
    assert judge(104_500, "amber") == "amber"
    assert judge(103_900, "amber") == "green"
    held = judge_above(109_500, amber=105_000, red=110_000, previous="red", margin=1_000)
    assert held is not None
    assert (held.held, held.limit) == (True, 109_000)


def project() -> ProjectBaseline:
    return ProjectBaseline("p", "CRM", START, START + timedelta(100), 100_000.0)


def status(day: int, cpi: float) -> StatusReport:
    # On schedule (percent = day), cost = EV / cpi.
    return StatusReport(START + timedelta(day), percent_complete=day, actual_cost=1_000 * day / cpi)


def test_assess_health_holds_red_with_the_previous_assessment_or_its_stored_reasons() -> None:
    # CPI 0.89 red; then 0.91: plain amber, held red (below 0.92). EAC = 100,000 / 0.91 =
    # 109,890 is also held red (above 109,000).
    first = assess_health(project(), status(40, 0.89), DEFAULTS, START + timedelta(40), None)
    second = status(50, 0.91)
    today = second.as_of
    stored = [{"code": str(r.code), "rag": r.rag, "message": r.message} for r in first.reasons]

    plain = assess_health(project(), second, DEFAULTS, today, None)
    held = assess_health(project(), second, DEFAULTS, today, None, previous=first)
    from_records = assess_health(
        project(), second, DEFAULTS, today, None, previous=signal_rags(stored)
    )

    assert first.rag == "red"
    assert plain.rag == "amber"
    assert held.rag == "red"
    assert held.reasons == from_records.reasons
    cpi_reason = next(r for r in held.reasons if r.code == ReasonCode.CPI_BELOW_THRESHOLD)
    assert cpi_reason.threshold == pytest.approx(0.92)
    assert "still red as at the last assessment, until it reaches 0.92" in cpi_reason.message
    eac_reason = next(r for r in held.reasons if r.code == ReasonCode.EAC_OVER_BUDGET)
    assert eac_reason.rag == "red"
    assert eac_reason.threshold == pytest.approx(109_000)


def test_messages_are_unchanged_when_hysteresis_changes_nothing() -> None:
    report = status(50, 0.85)
    first = assess_health(project(), report, DEFAULTS, report.as_of, None)

    again = assess_health(project(), report, DEFAULTS, report.as_of, None, previous=first)

    assert again.reasons == first.reasons


def test_no_hysteresis_margins_give_the_plain_rules() -> None:
    first = assess_health(project(), status(40, 0.89), DEFAULTS, START + timedelta(40), None)
    report = status(50, 0.91)

    judged = assess_health(
        project(), report, DEFAULTS, report.as_of, None, previous=first, hysteresis=NO_HYSTERESIS
    )

    assert judged.rag == "amber"


def test_signal_rags_keeps_the_worst_colour_per_code() -> None:
    records = [
        {"code": "milestone_overdue", "rag": "amber"},
        {"code": "milestone_overdue", "rag": "red"},
        {"code": "cpi_below_threshold", "rag": "amber"},
        {"code": "manager_flagged", "rag": "green"},
    ]

    assert signal_rags(records) == {"milestone_overdue": "red", "cpi_below_threshold": "amber"}


def test_judge_signals_covers_the_four_continuous_signals() -> None:
    judged = judge_signals(
        cpi=0.91,
        spi=0.96,
        spi_t=None,
        eac=109_500,
        bac=100_000,
        thresholds=DEFAULTS,
        previous={"cpi_below_threshold": "red", "eac_over_budget": "red"},
    )

    assert {code: j.rag if j else None for code, j in judged.items()} == {
        "cpi_below_threshold": "red",
        "spi_below_threshold": None,
        "spi_t_below_threshold": None,
        "eac_over_budget": "red",
    }


def test_negative_margins_are_refused() -> None:
    with pytest.raises(ValueError):
        HysteresisMargins(index=-0.01)


colours = st.sampled_from([None, "amber", "red"])


@st.composite
def limits(draw: st.DrawFn) -> tuple[float, float, float]:
    red = draw(st.floats(min_value=0.5, max_value=1.0))
    amber = red + draw(st.floats(min_value=0.0, max_value=0.2))
    margin = draw(st.floats(min_value=0.0, max_value=0.05))
    return amber, red, margin


@given(limits(), st.floats(min_value=0.0, max_value=2.0), colours)
def test_hysteresis_never_changes_a_colour_far_from_the_thresholds(
    bounds: tuple[float, float, float], value: float, previous: str | None
) -> None:
    amber, red, margin = bounds
    far = margin + 1e-6
    if abs(value - amber) <= far or abs(value - red) <= far:
        return
    plain = judge_below(value, amber=amber, red=red, previous=None, margin=margin)
    held = judge_below(value, amber=amber, red=red, previous=previous, margin=margin)

    assert (None if plain is None else plain.rag) == (None if held is None else held.rag)
    assert held is None or not held.held


@given(limits(), st.floats(min_value=0.0, max_value=2.0), colours)
def test_hysteresis_is_never_more_lenient_than_the_plain_rule(
    bounds: tuple[float, float, float], value: float, previous: str | None
) -> None:
    amber, red, margin = bounds
    rank = {None: 0, "amber": 1, "red": 2}
    plain = judge_below(value, amber=amber, red=red, previous=None, margin=margin)
    held = judge_below(value, amber=amber, red=red, previous=previous, margin=margin)

    assert rank[None if held is None else held.rag] >= rank[None if plain is None else plain.rag]


@given(
    st.floats(min_value=0.3, max_value=2.0),
    st.integers(min_value=1, max_value=100),
    st.sampled_from(list(ReasonCode)),
    colours,
)
def test_assessment_far_from_thresholds_is_unchanged_by_previous_colours(
    cpi: float, day: int, code: ReasonCode, previous: str | None
) -> None:
    # On schedule (SPI = SPI(t) = 1); CPI and EAC/BAC = 1/CPI far from every limit.
    eac_ratio = 1 / cpi
    if any(abs(cpi - limit) <= 0.021 for limit in (0.90, 0.95)) or any(
        abs(eac_ratio - limit) <= 0.011 for limit in (1.05, 1.10)
    ):
        return
    report = status(day, cpi)
    before: dict[str, str] = {} if previous is None else {str(code): previous}

    plain = assess_health(project(), report, DEFAULTS, report.as_of, None)
    held = assess_health(project(), report, DEFAULTS, report.as_of, None, previous=before)

    assert held.rag == plain.rag
    assert held.reasons == plain.reasons
    assert isinstance(held, HealthAssessment)
