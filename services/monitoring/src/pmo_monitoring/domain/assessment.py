"""A project's health as assessed: its RAG, the reasons for it and what they came from."""

from __future__ import annotations

from datetime import date

from pmo_monitoring.domain.earned_value import EarnedValueMetrics
from pmo_monitoring.domain.hysteresis import signal_rags
from pmo_monitoring.domain.milestone_slippage import MilestoneSlippage
from pmo_monitoring.domain.model import Rag, SignalRag
from pmo_monitoring.domain.reasons import Reason
from pmo_monitoring.domain.reporting_cadence import OverdueReport
from pmo_monitoring.domain.risk_exposure import RiskExposure
from pmo_monitoring.domain.trend import TrendAnalysis
from pmo_monitoring.domain.value_records import value_record


@value_record
class HealthAssessment:
    """A project's RAG with its reasons and the metrics they came from.

    `as_of` is the report's date, or `today` when there is no report. `metrics` is None when
    there is no report. `overdue_report` is set when a status report is overdue as of `today`.
    `trend` is set when the assessment was given a history; `milestones` and `risks` whenever
    there is a report. None of the three changes the RAG except through trend warnings.
    """

    rag: Rag
    reasons: tuple[Reason, ...]
    metrics: EarnedValueMetrics | None
    as_of: date
    overdue_report: OverdueReport | None = None
    notes: tuple[str, ...] = ()
    trend: TrendAnalysis | None = None
    milestones: MilestoneSlippage | None = None
    risks: RiskExposure | None = None

    @property
    def at_risk(self) -> bool:
        """Red: the state in which `project.at_risk` is published and an alert stays open."""
        return self.rag == "red"

    @property
    def signal_rags(self) -> dict[str, SignalRag]:
        """Each reason code's colour, to pass as `previous` to the next assessment."""
        return signal_rags(self.reasons)
