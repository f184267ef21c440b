"""The service's typed records: what the repositories store and return, and how an assessment
is written down (reasons and metrics as stored, answered and published).

Plain frozen dataclasses, no I/O: the repositories turn rows into these, and everything above
them reads attributes, never rows or dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from pmo_monitoring.domain.copying import copied
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS, EarnedValueMetrics
from pmo_monitoring.domain.hysteresis import signal_rags
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    ManagerRag,
    MilestoneStatus,
    PlannedValuePoint,
    ProjectBaseline,
    Rag,
    Risk,
    SignalRag,
    StatusReport,
)
from pmo_monitoring.domain.phrases import ENGLISH, Language, worded
from pmo_monitoring.domain.reasons import Reason

CLOSED = "closed"
_RAGS = frozenset({"green", "amber", "red", "unknown"})


def as_rag(value: object) -> Rag:
    """A stored RAG as the domain's type (ValueError for anything else)."""
    if value not in _RAGS:
        raise ValueError(f"not a RAG: {value!r}")
    return cast(Rag, value)


def as_date(value: object) -> date:
    """A date kept in a JSON column (an ISO string there, a date once read back as one)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class MonitoredProject:
    """A project of intake's registry as monitoring last heard of it (its projection)."""

    id: str
    name: str
    manager: str
    sponsor: str | None
    methodology: str
    start_date: date
    end_date: date
    budget: float
    currency: str
    milestones: tuple[BaselineMilestone, ...]
    planned_value_profile: tuple[PlannedValuePoint, ...]
    portfolio_id: str | None
    program_id: str | None
    status: str
    version: int
    projected_at: datetime
    closed_at: datetime | None = None
    # Which numbered baseline (intake's versions) the baseline fields above are: the one in
    # force, that health is judged against (1 for projects heard of before versions).
    baseline_version: int = 1

    @property
    def closed(self) -> bool:
        """A closed project accepts no more reports and is no longer chased for them."""
        return self.status == CLOSED

    def baseline(self) -> ProjectBaseline:
        """The baseline the health rules judge the project against (ValueError if unusable)."""
        return copied(ProjectBaseline, self, project_id=self.id)


@dataclass(frozen=True, slots=True)
class Methodology:
    """The newest version of a methodology standards published, with its thresholds."""

    key: str
    name: str
    version: int
    report_cadence_days: int
    thresholds: Mapping[str, Any]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ComplianceVerdict:
    """Standards' latest verdict on a project's compliance with its methodology."""

    project_id: str
    methodology: str
    compliant: bool
    score: float
    findings: tuple[Mapping[str, str], ...]
    evaluated_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectContext:
    """A project with what its health is judged and shown with: methodology and compliance."""

    project: MonitoredProject
    methodology: Methodology | None
    compliance: ComplianceVerdict | None


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A filed status report; `revision` counts how often its day was reported."""

    id: str
    project_id: str
    as_of: date
    percent_complete: float
    actual_cost: float
    milestones: tuple[MilestoneStatus, ...]
    risks: tuple[Risk, ...]
    manager_rag: ManagerRag | None
    summary: str | None
    reported_by: str
    revision: int
    created_at: datetime
    updated_at: datetime
    # Whether this revision knowingly took back figures or history, and why (see
    # report_regression); defaults for the records built before corrections existed.
    correction: bool = False
    correction_note: str | None = None

    @property
    def contents(self) -> StatusReport:
        """What the health rules judge: the figures, milestones, risks and the manager's RAG."""
        return copied(StatusReport, self)


@dataclass(frozen=True, slots=True)
class ReportRevision:
    """One version of a report as it was filed: by whom, when (`filed_at`), and whether as a
    correction. A report's revisions are 1, 2, ... in the order they replaced each other."""

    report_id: str
    revision: int
    project_id: str
    as_of: date
    percent_complete: float
    actual_cost: float
    milestones: tuple[MilestoneStatus, ...]
    risks: tuple[Risk, ...]
    manager_rag: ManagerRag | None
    summary: str | None
    correction: bool
    correction_note: str | None
    reported_by: str
    filed_at: datetime


@dataclass(frozen=True, slots=True)
class StoredHealth:
    """An assessment as stored: a project's current health, or a report's point of history.

    `reasons` and `metrics` are the records answered by the API (`reason_record`,
    `metrics_record`); `metrics` is empty before a first report.
    """

    project_id: str
    rag: Rag
    reasons: tuple[Mapping[str, Any], ...]
    metrics: Mapping[str, Any]
    as_of: date
    last_report_at: date | None
    report_id: str | None
    assessed_at: datetime
    # The baseline version it was judged against; a point keeps its own when the baseline
    # changes later (None: stored before baseline versions were kept).
    baseline_version: int | None = None

    @property
    def signal_rags(self) -> dict[str, SignalRag]:
        """Each reason code's colour: the `previous` of the next assessment (hysteresis)."""
        return signal_rags(self.reasons)

    def metric(self, name: str) -> Any:
        """One stored metric, or None."""
        return self.metrics.get(name)


@dataclass(frozen=True, slots=True)
class RecordedHealth:
    """A project's health just stored, with the RAG and reasons it replaced (None and () for
    a first) and its version, which every event the health causes carries."""

    health: StoredHealth
    previous_rag: Rag | None
    previous_reasons: tuple[Mapping[str, Any], ...]
    version: int


@dataclass(frozen=True, slots=True)
class ReportWithPoint:
    """A stored report and its stored point of the history (None: filed before points)."""

    report: StoredReport
    point: StoredHealth | None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, METRIC_DECIMALS)


def reason_record(reason: Reason, languages: Iterable[Language] = (ENGLISH,)) -> dict[str, Any]:
    """A reason as stored and answered: the event's fields plus the signal's own rag.

    `message` is the English phrase (the contract); `messages` says it in each of
    `languages`, from the same facts.
    """
    return {
        "code": str(reason.code),
        "message": reason.message,
        "messages": {language.code: worded(reason.message, language) for language in languages},
        "metric": reason.metric,
        "value": _rounded(reason.value),
        "threshold": _rounded(reason.threshold),
        "rag": reason.rag,
    }


def reason_records(
    reasons: Iterable[Reason], languages: Iterable[Language] = (ENGLISH,)
) -> list[dict[str, Any]]:
    """Each reason as `reason_record` writes it, in each of `languages`."""
    spoken = tuple(languages)
    return [reason_record(reason, spoken) for reason in reasons]


def metrics_record(metrics: EarnedValueMetrics | None) -> dict[str, Any]:
    """Metrics as stored (JSON-ready, rounded); empty before the first report."""
    if metrics is None:
        return {}
    record: dict[str, Any] = dict(metrics.rounded())
    forecast = record.get("forecast_end_date")
    record["forecast_end_date"] = forecast.isoformat() if isinstance(forecast, date) else None
    return record


@dataclass(frozen=True, slots=True)
class RollUpScope:
    """The projects a portfolio roll-up covers: one manager's (None: everyone's) together
    with, for such a narrowed caller, those of the portfolios in `or_in_portfolios` (their
    memberships), of one portfolio and one programme (None: any), closed ones only when asked
    for."""

    manager: str | None
    portfolio_id: str | None
    program_id: str | None
    include_closed: bool
    or_in_portfolios: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ReportCutoffs:
    """Day numbers (date.toordinal()) before which a last report (or, before any, the start)
    means a missed report today: one per methodology heard of, `otherwise` for the rest."""

    by_methodology: Mapping[str, int]
    otherwise: int

    @property
    def latest(self) -> int:
        """The latest of the cutoffs: a project on or after it is on time whatever its method."""
        return max([self.otherwise, *self.by_methodology.values()])


@dataclass(frozen=True, slots=True)
class RolledUpProject:
    """A project as the roll-up lists it, with its RAG as of today."""

    project_id: str
    name: str
    manager: str
    portfolio_id: str | None
    program_id: str | None
    status: str
    currency: str
    rag: Rag
    last_report_at: date | None
