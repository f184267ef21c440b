"""Pure health rules of monitoring: earned value, forecasts, trends, RAG with reasons, roll-ups.

No I/O and no framework imports (FastAPI, SQLAlchemy, pydantic, Kafka): plain dataclasses
(inputs frozen; results value records, frozen for the type checker, see value_records.py) and
functions, so the rules are tested as such. See docs/adr/0003-health-rules.md.
"""

from pmo_monitoring.domain.early_warning import (
    DEFAULT_EARLY_WARNING,
    EarlyWarningSettings,
    optimism_warning,
    trend_warnings,
)
from pmo_monitoring.domain.earned_schedule import (
    independent_duration_days,
    to_complete_schedule_performance_index,
)
from pmo_monitoring.domain.earned_value import (
    METRIC_DECIMALS,
    EarnedValueMetrics,
    compute_earned_value,
    earned_schedule_days,
    planned_duration_days,
    planned_value_at,
)
from pmo_monitoring.domain.forecasts import (
    CostForecasts,
    cost_forecasts,
    to_complete_performance_index,
)
from pmo_monitoring.domain.health_rules import (
    HealthAssessment,
    ReportJudgement,
    assess_health,
    assess_history,
    judge_report,
)
from pmo_monitoring.domain.hysteresis import (
    DEFAULT_MARGINS,
    NO_HYSTERESIS,
    HysteresisMargins,
    SignalJudgement,
    judge_above,
    judge_below,
    judge_signals,
    signal_rags,
)
from pmo_monitoring.domain.milestone_slippage import (
    MilestoneSlip,
    MilestoneSlippage,
    milestone_slippage,
)
from pmo_monitoring.domain.model import (
    DEFAULT_THRESHOLDS,
    BaselineMilestone,
    MilestoneStatus,
    PlannedValuePoint,
    ProjectBaseline,
    Rag,
    Risk,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.planned_value import planned_value_curve
from pmo_monitoring.domain.portfolio import (
    CurrencyTotals,
    PortfolioHealth,
    ProjectHealthSnapshot,
    RagCounts,
    group_by_portfolio,
    roll_up,
    roll_up_by_portfolio,
)
from pmo_monitoring.domain.reasons import ADVISORY_CODES, Reason, ReasonCode, worst_rag
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue
from pmo_monitoring.domain.risk_exposure import RiskExposure, RiskScore, risk_exposure
from pmo_monitoring.domain.transitions import Severity, Transition, decide_transition
from pmo_monitoring.domain.trend import (
    IndexTrend,
    TrendAnalysis,
    TrendPoint,
    analyse_trend,
    trend_points,
)

__all__ = [
    "ADVISORY_CODES",
    "DEFAULT_EARLY_WARNING",
    "DEFAULT_MARGINS",
    "DEFAULT_THRESHOLDS",
    "METRIC_DECIMALS",
    "NO_HYSTERESIS",
    "BaselineMilestone",
    "CostForecasts",
    "CurrencyTotals",
    "EarlyWarningSettings",
    "EarnedValueMetrics",
    "HealthAssessment",
    "HysteresisMargins",
    "IndexTrend",
    "MilestoneSlip",
    "MilestoneSlippage",
    "MilestoneStatus",
    "OverdueReport",
    "PlannedValuePoint",
    "PortfolioHealth",
    "ProjectBaseline",
    "ProjectHealthSnapshot",
    "Rag",
    "RagCounts",
    "Reason",
    "ReasonCode",
    "ReportJudgement",
    "Risk",
    "RiskExposure",
    "RiskScore",
    "Severity",
    "SignalJudgement",
    "StatusReport",
    "Thresholds",
    "Transition",
    "TrendAnalysis",
    "TrendPoint",
    "analyse_trend",
    "assess_health",
    "assess_history",
    "check_report_overdue",
    "compute_earned_value",
    "cost_forecasts",
    "decide_transition",
    "earned_schedule_days",
    "group_by_portfolio",
    "independent_duration_days",
    "judge_above",
    "judge_below",
    "judge_report",
    "judge_signals",
    "milestone_slippage",
    "optimism_warning",
    "planned_duration_days",
    "planned_value_at",
    "planned_value_curve",
    "risk_exposure",
    "roll_up",
    "roll_up_by_portfolio",
    "signal_rags",
    "to_complete_performance_index",
    "to_complete_schedule_performance_index",
    "trend_points",
    "trend_warnings",
    "worst_rag",
]
