"""Pure health rules of monitoring: earned value, RAG with reasons, transitions, roll-ups.

No I/O and no framework imports (FastAPI, SQLAlchemy, pydantic, Kafka): plain frozen
dataclasses and functions, so the rules are tested as such. See docs/adr/0003-health-rules.md.
"""

from pmo_monitoring.domain.earned_value import (
    METRIC_DECIMALS,
    EarnedValueMetrics,
    compute_earned_value,
    earned_schedule_days,
    planned_duration_days,
    planned_value_at,
)
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health
from pmo_monitoring.domain.model import (
    DEFAULT_THRESHOLDS,
    BaselineMilestone,
    MilestoneStatus,
    ProjectBaseline,
    Rag,
    Risk,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.portfolio import (
    CurrencyTotals,
    PortfolioHealth,
    ProjectHealthSnapshot,
    RagCounts,
    group_by_portfolio,
    roll_up,
    roll_up_by_portfolio,
)
from pmo_monitoring.domain.reasons import Reason, ReasonCode, worst_rag
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue
from pmo_monitoring.domain.transitions import Severity, Transition, decide_transition

__all__ = [
    "DEFAULT_THRESHOLDS",
    "METRIC_DECIMALS",
    "BaselineMilestone",
    "CurrencyTotals",
    "EarnedValueMetrics",
    "HealthAssessment",
    "MilestoneStatus",
    "OverdueReport",
    "PortfolioHealth",
    "ProjectBaseline",
    "ProjectHealthSnapshot",
    "Rag",
    "RagCounts",
    "Reason",
    "ReasonCode",
    "Risk",
    "Severity",
    "StatusReport",
    "Thresholds",
    "Transition",
    "assess_health",
    "check_report_overdue",
    "compute_earned_value",
    "decide_transition",
    "earned_schedule_days",
    "group_by_portfolio",
    "planned_duration_days",
    "planned_value_at",
    "roll_up",
    "roll_up_by_portfolio",
    "worst_rag",
]
