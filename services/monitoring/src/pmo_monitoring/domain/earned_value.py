"""Earned-value and earned-schedule metrics of one status report.

Formulas follow PMI, *Practice Standard for Earned Value Management* (2nd ed., 2011) and
*The Standard for Earned Value Management* (2019) for PV, EV, AC, CV, SV, CPI, SPI, the EAC
variants, ETC, VAC and TCPI (see forecasts.py); and W. Lipke, "Schedule is Different",
*The Measurable News*, March 2003, for earned schedule (ES, SPI(t) = ES/AT, SV(t) = ES - AT,
TSPI), with the duration forecast IEAC(t) = PD / SPI(t) from K. Henderson, "Further
Developments in Earned Schedule", *The Measurable News*, Spring 2004 (see earned_schedule.py).
Time is counted in calendar days from the baseline start.

Policies: a ratio whose denominator is zero (or whose result would not be a finite number) is
None, never a ZeroDivisionError, and a note says why. Metrics keep full float precision here;
the API and the events round them to METRIC_DECIMALS places (see `EarnedValueMetrics.rounded`).
"""

from __future__ import annotations

from datetime import date

from pmo_monitoring.domain.calendar_bounds import (
    BEYOND_HORIZON,
    DayOffsets,
    days_after_within,
    offsets_on_calendar,
)
from pmo_monitoring.domain.earned_schedule import (
    EarnedSchedule,
    earned_schedule_days,
    earned_schedule_on,
    independent_duration_days,
    to_complete_schedule_performance_index,
)
from pmo_monitoring.domain.forecasts import forecast_figures
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport
from pmo_monitoring.domain.phrases import Day, phrase
from pmo_monitoring.domain.planned_value import (
    PlannedValueCurve,
    planned_duration_days,
    planned_value_at,
    planned_value_curve,
    reaching_day_estimate,
)
from pmo_monitoring.domain.ratios import ratio_or_none
from pmo_monitoring.domain.value_records import value_record

__all__ = [
    "METRIC_DECIMALS",
    "EarnedValueBasis",
    "EarnedValueMetrics",
    "PlannedValueCurve",
    "compute_earned_value",
    "earned_schedule_days",
    "planned_duration_days",
    "planned_value_at",
    "ratio_or_none",
]

METRIC_DECIMALS = 4


@value_record
class EarnedValueMetrics:
    """Earned-value figures as of a report; money in the project's currency, time in days.

    A ratio or forecast is None where it cannot be computed; `notes` says why. `eac`, `etc`
    and `tcpi` are the primary figures (EAC = BAC / CPI, TCPI to BAC); the fields after
    `notes` add the other EAC variants, TSPI and IEAC(t) in days.
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
    eac_cpi: float | None = None
    eac_atypical: float | None = None
    eac_composite: float | None = None
    etc_cpi: float | None = None
    etc_atypical: float | None = None
    etc_composite: float | None = None
    tcpi_bac: float | None = None
    tcpi_eac: float | None = None
    tspi: float | None = None
    ieac_t: float | None = None

    def rounded(self, decimals: int = METRIC_DECIMALS) -> dict[str, float | int | date | None]:
        """The metrics as a flat mapping for the API and events, money and ratios rounded.

        Every value is a number or None except `forecast_end_date`, the one date.
        """
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
            "eac_cpi": self.eac_cpi,
            "eac_atypical": self.eac_atypical,
            "eac_composite": self.eac_composite,
            "etc_cpi": self.etc_cpi,
            "etc_atypical": self.etc_atypical,
            "etc_composite": self.etc_composite,
            "tcpi_bac": self.tcpi_bac,
            "tcpi_eac": self.tcpi_eac,
            "tspi": self.tspi,
            "ieac_t": self.ieac_t,
        }
        result: dict[str, float | int | date | None] = {
            key: None if value is None else round(value, decimals)
            for key, value in money_and_ratios.items()
        }
        result["at"] = self.at
        result["planned_duration"] = self.planned_duration
        result["forecast_end_date"] = self.forecast_end_date
        return result


def compute_earned_value(baseline: ProjectBaseline, report: StatusReport) -> EarnedValueMetrics:
    """Earned-value and earned-schedule metrics of `report` against `baseline`."""
    return EarnedValueBasis.of(baseline).measure(report)


@value_record
class EarnedValueBasis:
    """What every report of one baseline is measured against, worked out once.

    A history recompute measures many reports against the same baseline: the planned-value
    curve, the duration and why earned schedule cannot be computed do not change between them.
    """

    start_date: date
    bac: float
    duration: int
    curve: PlannedValueCurve
    earned_schedule: EarnedSchedule
    forecast_offsets: DayOffsets
    """How far back and forward from the start a forecast end date may fall."""
    no_schedule: str | None
    """Why earned schedule cannot be computed on this baseline; None when it can."""

    @classmethod
    def of(cls, baseline: ProjectBaseline) -> EarnedValueBasis:
        """The basis of `baseline`."""
        duration = planned_duration_days(baseline)
        curve = planned_value_curve(baseline)
        no_schedule = None
        if duration <= 0:
            no_schedule = phrase(
                "Earned schedule cannot be computed: the planned duration is zero days."
            )
        elif baseline.budget == 0:
            no_schedule = phrase("Earned schedule cannot be computed: the budget is zero.")
        return cls(
            start_date=baseline.start_date,
            bac=baseline.budget,
            duration=duration,
            curve=curve,
            earned_schedule=earned_schedule_on(curve, duration, reaching_day_estimate(baseline)),
            forecast_offsets=offsets_on_calendar(baseline.start_date),
            no_schedule=no_schedule,
        )

    def measure(self, report: StatusReport) -> EarnedValueMetrics:
        """Earned-value and earned-schedule metrics of `report` (see compute_earned_value)."""
        notes: list[str] = []
        bac = self.bac
        ac = report.actual_cost
        ev = bac * (report.percent_complete / 100)
        at = (report.as_of - self.start_date).days
        pv = self.curve(at)

        cpi = ratio_or_none(ev, ac)
        if cpi is None:
            why = (
                phrase("no actual cost is recorded yet")
                if ac == 0
                else phrase("the actual cost is too small")
            )
            notes.append(phrase("CPI, EAC, ETC and VAC cannot be computed: {why}.", why=why))
        spi = ratio_or_none(ev, pv)
        if spi is None:
            notes.append(
                phrase(
                    "SPI cannot be computed: no work was planned by {day}.",
                    day=Day(report.as_of),
                )
            )
        forecast_notes: list[str] = []
        forecasts = forecast_figures(bac, ev, ac, cpi, spi, forecast_notes)
        eac = forecasts[0]  # BAC / CPI, the primary EAC
        if cpi is not None and eac is None:
            notes.append(
                phrase(
                    "EAC, ETC and VAC cannot be computed: nothing is earned yet, so cost "
                    "performance is zero."
                )
            )
        tcpi = forecasts[6]  # TCPI to BAC, the primary TCPI
        if tcpi is None:
            notes.append(
                phrase("TCPI cannot be computed: the actual cost has used the whole budget.")
            )
        notes.extend(forecast_notes)

        duration = self.duration
        es = None
        spi_t = None
        tspi = None
        if self.no_schedule is not None:
            notes.append(self.no_schedule)
        else:
            es = self.earned_schedule(ev)
            spi_t = ratio_or_none(es, float(at)) if at > 0 else None
            if spi_t is None:
                notes.append(
                    phrase("SPI(t) cannot be computed: the report is not dated after the start.")
                )
            tspi = to_complete_schedule_performance_index(es, at, duration)
            if tspi is None and at >= duration:
                notes.append(
                    phrase(
                        "TSPI cannot be computed: the planned end date has passed, so no "
                        "planned time remains for the rest of the work."
                    )
                )
        ieac_t = independent_duration_days(duration, spi_t)
        if spi_t is not None and report.percent_complete >= 100:
            # Done is done: on an S-curve that reaches 100 % before the end date, PD / SPI(t)
            # would forecast a finish after the report that says the work is finished.
            ieac_t = float(at)
        end = self._forecast_end_date(spi_t, ieac_t, notes)
        eac_cpi, eac_atypical, eac_composite, etc_cpi, etc_atypical, etc_composite, _, tcpi_eac = (
            forecasts
        )
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
            forecast_end_date=end,
            notes=tuple(notes),
            eac_cpi=eac_cpi,
            eac_atypical=eac_atypical,
            eac_composite=eac_composite,
            etc_cpi=etc_cpi,
            etc_atypical=etc_atypical,
            etc_composite=etc_composite,
            tcpi_bac=tcpi,
            tcpi_eac=tcpi_eac,
            tspi=tspi,
            ieac_t=ieac_t,
        )

    def _forecast_end_date(
        self, spi_t: float | None, ieac_t: float | None, notes: list[str]
    ) -> date | None:
        """Start + IEAC(t), IEAC(t) = PD / SPI(t) (Henderson, 2004), rounded to whole days."""
        if spi_t is None:
            return None
        if ieac_t is None:
            notes.append(phrase("No forecast end date: nothing has been earned yet."))
            return None
        end = days_after_within(self.start_date, ieac_t, self.forecast_offsets)
        if end is None:
            notes.append(
                phrase(
                    "No forecast end date: at the current pace the project would finish {beyond}.",
                    beyond=BEYOND_HORIZON,
                )
            )
        return end
