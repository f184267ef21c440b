"""The health answer's details beyond the RAG: EAC variants, milestones, risks, trend, forecast.

Each record is built from what the domain computed for the assessment (nothing is judged
here), rounded like the metrics and shaped for the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pmo_monitoring.domain.earned_value import METRIC_DECIMALS, EarnedValueMetrics
from pmo_monitoring.domain.health_rules import HealthAssessment
from pmo_monitoring.domain.milestone_slippage import MilestoneSlippage
from pmo_monitoring.domain.phrases import Day, Index, phrase
from pmo_monitoring.domain.reasons import ADVISORY_CODES
from pmo_monitoring.domain.records import reason_record
from pmo_monitoring.domain.risk_exposure import RiskExposure
from pmo_monitoring.domain.trend import IndexTrend, TrendAnalysis
from pmo_monitoring.domain.wording import days
from pmo_monitoring.languages import spoken_languages

NO_REPORT_FORECAST = phrase("No forecast yet: no status report has been received.")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, METRIC_DECIMALS)


def health_details(assessment: HealthAssessment, planned_end: date) -> dict[str, Any]:
    """The detail fields of GET /v1/projects/{id}/health (null where there is no report)."""
    metrics = assessment.metrics
    return {
        "eac_variants": eac_variants_record(metrics) if metrics is not None else None,
        "tcpi_eac": _rounded(metrics.tcpi_eac) if metrics is not None else None,
        "tspi": _rounded(metrics.tspi) if metrics is not None else None,
        "sv_t": _rounded(metrics.sv_t) if metrics is not None else None,
        "milestones": milestones_record(assessment.milestones),
        "risks": risks_record(assessment.risks),
        "trend": trend_record(assessment),
        "forecast": forecast_record(metrics, planned_end),
    }


def eac_variants_record(metrics: EarnedValueMetrics) -> dict[str, Any]:
    """The three standard EACs with their ETCs; `cpi` is the primary one (metrics.eac)."""
    return {
        "cpi": {
            "eac": _rounded(metrics.eac_cpi),
            "etc": _rounded(metrics.etc_cpi),
            "formula": "BAC / CPI",
        },
        "atypical": {
            "eac": _rounded(metrics.eac_atypical),
            "etc": _rounded(metrics.etc_atypical),
            "formula": "AC + (BAC - EV)",
        },
        "composite": {
            "eac": _rounded(metrics.eac_composite),
            "etc": _rounded(metrics.etc_composite),
            "formula": "AC + (BAC - EV) / (CPI x SPI)",
        },
    }


def milestones_record(slippage: MilestoneSlippage | None) -> dict[str, Any] | None:
    """Every baseline milestone's slip as of the report, by due date, with the worst named."""
    if slippage is None:
        return None
    return {
        "as_of": slippage.as_of,
        "late_count": slippage.late_count,
        "worst": slippage.worst.name if slippage.worst is not None else None,
        "worst_slip_days": slippage.worst_slip_days,
        "items": [
            {
                "name": slip.name,
                "due_date": slip.due_date,
                "status": slip.status,
                "done": slip.done,
                "days_late": slip.days_late,
                "forecast_date": slip.forecast_date,
                "forecast_slip_days": slip.forecast_slip_days,
                "slip_days": slip.slip_days,
            }
            for slip in slippage.milestones
        ],
    }


def risks_record(exposure: RiskExposure | None) -> dict[str, Any] | None:
    """The report's risk exposure (probability x impact): total, count and the top three."""
    if exposure is None:
        return None
    return {
        "count": len(exposure.risks),
        "total_exposure": _rounded(exposure.total),
        "top": [
            {
                "title": score.title,
                "probability": score.probability,
                "impact": score.impact,
                "exposure": _rounded(score.exposure),
            }
            for score in exposure.top
        ],
    }


def _index_trend_record(trend: IndexTrend) -> dict[str, Any]:
    return {
        "direction": trend.direction,
        "slope_per_30_days": _rounded(trend.slope_per_30_days),
        "latest": _rounded(trend.latest),
        "latest_on": trend.latest_on,
        "points": trend.points,
    }


def trend_record(assessment: HealthAssessment) -> dict[str, Any] | None:
    """Direction of CPI and SPI(t) over the last reports, and the early warnings it raised."""
    trend: TrendAnalysis | None = assessment.trend
    if trend is None:
        return None
    warnings = [
        reason_record(reason, spoken_languages())
        for reason in assessment.reasons
        if reason.code in ADVISORY_CODES
    ]
    return {
        "as_of": trend.as_of,
        "window": trend.window,
        "reports": trend.reports,
        "dead_band": trend.dead_band,
        "cpi": _index_trend_record(trend.cpi),
        "spi_t": _index_trend_record(trend.spi_t),
        "early_warning": bool(warnings),
        "warnings": warnings,
    }


def forecast_record(metrics: EarnedValueMetrics | None, planned_end: date) -> dict[str, Any]:
    """The forecast end date (start + PD / SPI(t)) against the planned end, in words too."""
    if metrics is None:
        return _forecast(None, planned_end, None, NO_REPORT_FORECAST)
    forecast = metrics.forecast_end_date
    if forecast is None:
        return _forecast(None, planned_end, None, _why_no_forecast(metrics))
    slip = (forecast - planned_end).days
    if slip > 0:
        relation = phrase(
            "{slip} after its planned end on {planned_end}",
            slip=days(slip),
            planned_end=Day(planned_end),
        )
    elif slip < 0:
        relation = phrase(
            "{slip} before its planned end on {planned_end}",
            slip=days(-slip),
            planned_end=Day(planned_end),
        )
    else:
        relation = phrase("on its planned end date")
    if metrics.bac > 0 and metrics.ev >= metrics.bac:
        message = phrase(
            "The work was reported complete on {forecast}, {relation}.",
            forecast=Day(forecast),
            relation=relation,
        )
    elif metrics.spi_t is not None:
        message = phrase(
            "At the current pace (SPI(t) {spi_t}) the project finishes on {forecast}, {relation}.",
            spi_t=Index(metrics.spi_t),
            forecast=Day(forecast),
            relation=relation,
        )
    else:
        message = phrase(
            "At the current pace the project finishes on {forecast}, {relation}.",
            forecast=Day(forecast),
            relation=relation,
        )
    return _forecast(forecast, planned_end, slip, message)


def _forecast(
    forecast: date | None, planned_end: date, slip: int | None, message: str
) -> dict[str, Any]:
    return {
        "forecast_end_date": forecast,
        "planned_end_date": planned_end,
        "slip_days": slip,
        "message": message,
    }


def _why_no_forecast(metrics: EarnedValueMetrics) -> str:
    for prefix in ("No forecast end date", "SPI(t) cannot", "Earned schedule cannot"):
        for note in metrics.notes:
            if note.startswith(prefix):  # the English text of a phrase
                return note
    return phrase("No forecast end date: the schedule performance cannot be computed yet.")
