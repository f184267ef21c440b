"""Earned-value and earned-schedule metrics of one status report.

Formulas follow PMI, *Practice Standard for Earned Value Management* (2nd ed., 2011) and
*The Standard for Earned Value Management* (2019) for PV, EV, AC, CV, SV, CPI, SPI, EAC = BAC/CPI,
ETC, VAC and TCPI (to BAC); and W. Lipke, "Schedule is Different", *The Measurable News*,
March 2003, for earned schedule (ES, SPI(t) = ES/AT, SV(t) = ES - AT), with the duration
forecast IEAC(t) = PD / SPI(t) from K. Henderson, "Further Developments in Earned Schedule",
*The Measurable News*, Spring 2004. Time is counted in calendar days from the baseline start.

Policies: a ratio whose denominator is zero (or whose result would not be a finite number) is
None, never a ZeroDivisionError, and a note says why. Metrics keep full float precision here;
the API and the events round them to METRIC_DECIMALS places (see `EarnedValueMetrics.rounded`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pmo_monitoring.domain.model import ProjectBaseline, StatusReport

METRIC_DECIMALS = 4

PlannedValueCurve = Callable[[int], float]
"""Cumulative planned value on a day offset from the start (0 = start_date); non-decreasing."""


@dataclass(frozen=True, slots=True)
class EarnedValueMetrics:
    """Earned-value figures as of a report; money in the project's currency, time in days.

    A ratio or forecast is None where it cannot be computed; `notes` says why.
    """

    as_of: date
    bac: float
    pv: float
    ev: float
    ac: float
    cv: float
    sv: float
    cpi: float | None
    spi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None
    planned_duration: int
    at: int
    es: float | None
    spi_t: float | None
    sv_t: float | None
    forecast_end_date: date | None
    notes: tuple[str, ...] = ()

    def rounded(self, decimals: int = METRIC_DECIMALS) -> dict[str, float | int | date | None]:
        """The metrics as a flat mapping for the API and events, money and ratios rounded."""
        money_and_ratios = {
            "pv": self.pv,
            "ev": self.ev,
            "ac": self.ac,
            "bac": self.bac,
            "cv": self.cv,
            "sv": self.sv,
            "cpi": self.cpi,
            "spi": self.spi,
            "eac": self.eac,
            "etc": self.etc,
            "vac": self.vac,
            "tcpi": self.tcpi,
            "es": self.es,
            "spi_t": self.spi_t,
            "sv_t": self.sv_t,
        }
        result: dict[str, float | int | date | None] = {
            key: None if value is None else round(value, decimals)
            for key, value in money_and_ratios.items()
        }
        result["at"] = self.at
        result["planned_duration"] = self.planned_duration
        result["forecast_end_date"] = self.forecast_end_date
        return result


def planned_duration_days(baseline: ProjectBaseline) -> int:
    """Planned duration PD in calendar days, from start_date to end_date."""
    return (baseline.end_date - baseline.start_date).days


def planned_value_at(baseline: ProjectBaseline, day: date) -> float:
    """Cumulative planned value on `day`: a straight line from 0 at start to BAC at end.

    Clamped to [0, BAC]. This is the one place that knows the PV profile, so a baseline that
    later carries its own spend profile only changes this function.
    """
    duration = planned_duration_days(baseline)
    elapsed = (day - baseline.start_date).days
    if elapsed >= duration:
        return baseline.budget
    if elapsed <= 0:
        return 0.0
    return baseline.budget * (elapsed / duration)


def earned_schedule_days(ev: float, curve: PlannedValueCurve, planned_duration: int) -> float:
    """Earned schedule: the time (days) at which planned value equalled `ev` (Lipke, 2003).

    ES = C + (EV - PV_C) / (PV_C+1 - PV_C), where C is the last whole day with PV_C <= EV,
    found by bisection; capped at the planned duration. `curve` must be non-decreasing.
    """
    if planned_duration <= 0 or curve(planned_duration) <= ev:
        return float(max(planned_duration, 0))
    if curve(0) > ev:
        return 0.0
    low, high = 0, planned_duration  # invariant: curve(low) <= ev < curve(high)
    while high - low > 1:
        middle = (low + high) // 2
        if curve(middle) <= ev:
            low = middle
        else:
            high = middle
    before, after = curve(low), curve(high)
    return min(low + (ev - before) / (after - before), float(planned_duration))


def compute_earned_value(baseline: ProjectBaseline, report: StatusReport) -> EarnedValueMetrics:
    """Earned-value and earned-schedule metrics of `report` against `baseline`."""
    notes: list[str] = []
    bac = baseline.budget
    ac = report.actual_cost
    ev = bac * (report.percent_complete / 100)
    pv = planned_value_at(baseline, report.as_of)

    cpi = ratio_or_none(ev, ac)
    if cpi is None:
        why = "no actual cost is recorded yet" if ac == 0 else "the actual cost is too small"
        notes.append(f"CPI, EAC, ETC and VAC cannot be computed: {why}.")
    spi = ratio_or_none(ev, pv)
    if spi is None:
        notes.append(f"SPI cannot be computed: no work was planned by {report.as_of}.")
    eac = None if cpi is None else ratio_or_none(bac, cpi)
    if cpi is not None and eac is None:
        notes.append(
            "EAC, ETC and VAC cannot be computed: nothing is earned yet, so cost performance "
            "is zero."
        )
    tcpi = ratio_or_none(bac - ev, bac - ac)
    if tcpi is None:
        notes.append("TCPI cannot be computed: the actual cost has used the whole budget.")

    duration = planned_duration_days(baseline)
    at = (report.as_of - baseline.start_date).days
    es = _earned_schedule(baseline, ev, duration, notes)
    spi_t = None
    if es is not None:
        spi_t = ratio_or_none(es, float(at)) if at > 0 else None
        if spi_t is None:
            notes.append("SPI(t) cannot be computed: the report is not dated after the start.")
    return EarnedValueMetrics(
        as_of=report.as_of,
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cv=ev - ac,
        sv=ev - pv,
        cpi=cpi,
        spi=spi,
        eac=eac,
        etc=None if eac is None else eac - ac,
        vac=None if eac is None else bac - eac,
        tcpi=tcpi,
        planned_duration=duration,
        at=at,
        es=es,
        spi_t=spi_t,
        sv_t=None if es is None else es - at,
        forecast_end_date=_forecast_end_date(baseline, duration, spi_t, notes),
        notes=tuple(notes),
    )


def ratio_or_none(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero or the result overflows."""
    if denominator == 0:
        return None
    result = numerator / denominator
    return result if math.isfinite(result) else None


def _earned_schedule(
    baseline: ProjectBaseline, ev: float, duration: int, notes: list[str]
) -> float | None:
    if duration <= 0:
        notes.append("Earned schedule cannot be computed: the planned duration is zero days.")
        return None
    if baseline.budget == 0:
        notes.append("Earned schedule cannot be computed: the budget is zero.")
        return None

    def curve(offset: int) -> float:
        return planned_value_at(baseline, baseline.start_date + timedelta(days=offset))

    return earned_schedule_days(ev, curve, duration)


def _forecast_end_date(
    baseline: ProjectBaseline, duration: int, spi_t: float | None, notes: list[str]
) -> date | None:
    """Start + IEAC(t), IEAC(t) = PD / SPI(t) (Henderson, 2004), rounded to whole days."""
    if spi_t is None:
        return None
    forecast_days = ratio_or_none(float(duration), spi_t)
    if forecast_days is None:
        notes.append("No forecast end date: nothing has been earned yet.")
        return None
    if forecast_days > (date.max - baseline.start_date).days:
        notes.append("No forecast end date: at the current pace the project would never finish.")
        return None
    return baseline.start_date + timedelta(days=math.floor(forecast_days + 0.5))
