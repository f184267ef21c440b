"""Request and response bodies of monitoring's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pmo_common.contract import MAX_MILESTONES, MAX_RISKS
from pmo_common.events.payloads import HealthMetrics
from pmo_common.web.inputs import (
    BoundedDate,
    Number,
    PlainName,
    PlainText,
    StrictInput,
    WholeNumber,
    documented_examples,
)
from pmo_common.web.pagination import Page
from pmo_common.web.schemas import OutputModel
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

# The RAID register's request bodies live in their own module; named here so every request
# body of the service is an input model of this one (openapi_checks, ADR 0010).
from pmo_monitoring.api.raid_schemas import RaidItemIn as RaidItemIn
from pmo_monitoring.api.raid_schemas import RaidItemPatch as RaidItemPatch

RagValue = Literal["green", "amber", "red", "unknown"]
ManagerRag = Literal["green", "amber", "red"]
MilestoneState = Literal["planned", "in_progress", "done", "late"]
GroupBy = Literal["portfolio", "program"]

Percent = Annotated[Number, Field(ge=0, le=100)]
Money = Annotated[Number, Field(ge=0, le=1e13)]
Probability = Annotated[Number, Field(ge=0, le=1)]
Impact = Annotated[WholeNumber, Field(ge=1, le=5)]
Summary = Annotated[PlainText, StringConstraints(max_length=4000)]
RaidItemId = Annotated[str, StringConstraints(min_length=1, max_length=36)]

_MILESTONE_EXAMPLE: dict[str, Any] = {
    "name": "Design signed off",
    "status": "in_progress",
    "forecast_date": "2025-05-16",
}
_RISK_EXAMPLE: dict[str, Any] = {
    "title": "Key supplier delivers the hardware late",
    "probability": 0.3,
    "impact": 4,
}


class MilestoneReportIn(StrictInput):
    """Where a baseline milestone stands, as the manager reports it."""

    model_config = documented_examples(_MILESTONE_EXAMPLE, {"name": "Go-live", "status": "planned"})

    name: PlainName = Field(description="A milestone name of the project's baseline")
    status: MilestoneState
    forecast_date: BoundedDate | None = None


class RiskIn(StrictInput):
    """A risk the manager reports: probability 0-1, impact 1-5."""

    model_config = documented_examples(_RISK_EXAMPLE)

    title: PlainName
    probability: Probability
    impact: Impact


class StatusReportIn(StrictInput):
    """A status report as of a date; a second one for the same as_of replaces the first."""

    model_config = documented_examples(
        {
            "as_of": "2025-03-31",
            "percent_complete": 42.5,
            "actual_cost": 118500.0,
            "milestones": [
                _MILESTONE_EXAMPLE,
                {"name": "Pilot site live", "status": "done"},
            ],
            "risks": [_RISK_EXAMPLE],
            "manager_rag": "amber",
            "summary": "Build is two weeks behind: the supplier slipped the hardware "
            "delivery.\nRecovery plan agreed with the sponsor on 28 March.",
        },
        {"as_of": "2025-04-14", "percent_complete": 50, "actual_cost": 131000},
        {
            "as_of": "2025-04-14",
            "percent_complete": 45,
            "actual_cost": 131000,
            "correction": True,
            "correction_note": "Re-measured: the pilot site's work was counted twice.",
        },
    )

    as_of: BoundedDate = Field(description="The date the figures describe; not in the future")
    percent_complete: Percent
    actual_cost: Money = Field(description="AC to date")
    milestones: list[MilestoneReportIn] = Field(default_factory=list, max_length=MAX_MILESTONES)
    risks: list[RiskIn] = Field(default_factory=list, max_length=MAX_RISKS)
    risk_ids: list[RaidItemId] = Field(
        default_factory=list,
        max_length=MAX_RISKS,
        description="Ids of risks of the project's RAID register: the report keeps a snapshot "
        "of each (title, probability, impact) after its own `risks`. An id of no risk of the "
        "project is refused (422).",
    )
    manager_rag: ManagerRag | None = None
    summary: Summary | None = None
    correction: Annotated[bool, Strict()] = Field(
        False,
        description="True to take back figures or history: a percent_complete or actual_cost "
        "below the report it replaces or the latest one before it, or an as_of before the "
        "newest report. Without it such a report is refused (422).",
    )
    correction_note: Summary | None = Field(
        None, description="Why the record is corrected; required with correction: true"
    )


class MilestoneReportOut(OutputModel):
    """A reported milestone."""

    name: str
    status: str
    forecast_date: date | None = None


class RiskOut(OutputModel):
    """A reported risk."""

    title: str
    probability: float
    impact: int


class StatusReportOut(OutputModel):
    """A stored status report; `revision` counts how often its day was reported."""

    id: str
    project_id: str
    as_of: date
    percent_complete: float
    actual_cost: float
    milestones: list[MilestoneReportOut]
    risks: list[RiskOut]
    manager_rag: ManagerRag | None
    summary: str | None
    reported_by: str
    revision: int
    created_at: datetime
    updated_at: datetime
    correction: bool
    correction_note: str | None


class StatusReportRevisionOut(OutputModel):
    """One version of a status report as it was filed, by whom and when."""

    report_id: str
    revision: int
    as_of: date
    percent_complete: float
    actual_cost: float
    milestones: list[MilestoneReportOut]
    risks: list[RiskOut]
    manager_rag: ManagerRag | None
    summary: str | None
    correction: bool
    correction_note: str | None
    reported_by: str
    filed_at: datetime


class ReasonOut(BaseModel):
    """Why a project is not green; `rag` is the colour of this one signal."""

    code: str
    message: str
    metric: str | None = None
    value: float | None = None
    threshold: float | None = None
    rag: Literal["amber", "red"]


class CoreFiguresOut(BaseModel):
    """The earned-value figures the health answer and each point of its history both show."""

    pv: float | None = None
    ev: float | None = None
    ac: float | None = None
    bac: float | None = None
    cpi: float | None = None
    spi: float | None = None


# The health answer's metrics (ARCHITECTURE.md lists them) are the ones the health events
# carry, then the variances and the earned-schedule days.
class MetricsOut(HealthMetrics):
    """Earned-value figures (null where not computable, all null before the first report)."""

    # The events' payload keeps metrics it does not name; the answer shows only those it names.
    model_config = ConfigDict(extra="ignore")

    cv: float | None = None
    sv: float | None = None
    es: float | None = Field(default=None, description="Earned schedule, days from start")
    sv_t: float | None = Field(default=None, description="Schedule variance in days")
    at: int | None = Field(default=None, description="Actual time, days from start")
    planned_duration: int | None = Field(default=None, description="Days from start to end")


class ThresholdsOut(BaseModel):
    """The tolerances the project is judged by."""

    cpi_amber: float
    cpi_red: float
    spi_amber: float
    spi_red: float
    eac_amber_ratio: float
    eac_red_ratio: float
    milestone_red_days_late: int
    report_cadence_days: int
    report_grace_days: int


class ComplianceOut(BaseModel):
    """Standards' latest verdict on the project's compliance with its methodology."""

    methodology: str
    compliant: bool
    score: float
    findings: list[dict[str, str]]
    evaluated_at: datetime


class EacVariantOut(BaseModel):
    """One estimate at completion and the estimate to complete that goes with it."""

    eac: float | None
    etc: float | None
    formula: str


class EacVariantsOut(BaseModel):
    """The standard EACs: `cpi` (the primary `metrics.eac`), `atypical`, `composite`."""

    cpi: EacVariantOut
    atypical: EacVariantOut
    composite: EacVariantOut


class MilestoneSlipOut(BaseModel):
    """A baseline milestone as of the report: lateness so far and forecast slip, in days."""

    name: str
    due_date: date
    status: str | None = Field(description="As reported; null when the report omits it")
    done: bool
    days_late: int
    forecast_date: date | None
    forecast_slip_days: int | None = Field(description="forecast_date - due_date")
    slip_days: int = Field(description="The larger of days_late and forecast_slip_days")


class MilestonesOut(BaseModel):
    """Every baseline milestone by due date, with the worst slip named."""

    as_of: date
    late_count: int
    worst: str | None
    worst_slip_days: int
    items: list[MilestoneSlipOut]


class RiskScoreOut(BaseModel):
    """A reported risk with its exposure = probability x impact (0..5)."""

    title: str
    probability: float
    impact: int
    exposure: float


class RisksOut(BaseModel):
    """Risk exposure of the latest report: total, count and the top three."""

    count: int
    total_exposure: float
    top: list[RiskScoreOut]


class IndexTrendOut(BaseModel):
    """Where an index is heading (least-squares slope over the last reports)."""

    direction: Literal["improving", "stable", "declining"] | None
    slope_per_30_days: float | None
    latest: float | None
    latest_on: date | None
    points: int


class TrendOut(BaseModel):
    """CPI and SPI(t) trends over the last reports, and the early warnings they raised."""

    as_of: date | None
    window: int
    reports: int
    dead_band: float
    cpi: IndexTrendOut
    spi_t: IndexTrendOut
    early_warning: bool
    warnings: list[ReasonOut] = Field(description="Advisory reasons (also among `reasons`)")


class ForecastOut(BaseModel):
    """When the project finishes at its current pace, and that in words."""

    forecast_end_date: date | None
    planned_end_date: date
    slip_days: int | None = Field(description="forecast_end_date - planned_end_date")
    message: str


class HealthOut(BaseModel):
    """A project's health as of today."""

    project_id: str
    project_name: str
    status: str
    methodology: str
    currency: str
    rag: RagValue
    at_risk: bool
    metrics: MetricsOut
    reasons: list[ReasonOut]
    notes: list[str]
    as_of: date
    last_report_at: date | None = Field(description="as_of of the newest report")
    last_report_id: str | None
    next_report_due: date | None = Field(
        description="When the next report is due; null when past the last date monitoring "
        "forecasts (2200-12-31), with a note saying so"
    )
    thresholds: ThresholdsOut
    thresholds_source: Literal["methodology", "defaults"]
    methodology_version: int | None
    baseline_version: int = Field(
        description="The baseline version in force (intake's numbering) that this health is "
        "judged against: PV, BAC, the planned end and the milestones are that version's"
    )
    compliance: ComplianceOut | None
    eac_variants: EacVariantsOut | None = None
    tcpi_eac: float | None = Field(default=None, description="TCPI to the CPI-based EAC")
    tspi: float | None = Field(default=None, description="To-complete schedule index")
    sv_t: float | None = Field(default=None, description="Schedule variance in days")
    milestones: MilestonesOut | None = None
    risks: RisksOut | None = None
    trend: TrendOut | None = None
    forecast: ForecastOut | None = None


class FiledReportOut(StatusReportOut):
    """A filed report, whether it replaced an earlier one of its day, and the health after it."""

    replaced: bool
    health: HealthOut


class ProjectRagOut(BaseModel):
    """One project of a roll-up, with its latest assessment's earned-value figures (in its
    currency; null before its first report or where not computable)."""

    project_id: str
    name: str
    manager: str
    portfolio_id: str | None
    program_id: str | None
    status: str
    currency: str
    rag: RagValue
    last_report_at: date | None
    pv: float | None = Field(default=None, description="Planned value at the last report")
    ev: float | None = Field(default=None, description="Earned value at the last report")
    ac: float | None = Field(default=None, description="Actual cost at the last report")
    bac: float | None = Field(default=None, description="Budget at completion")
    cpi: float | None = Field(default=None, description="Cost performance index, EV / AC")
    spi: float | None = Field(default=None, description="Schedule performance index, EV / PV")
    spi_t: float | None = Field(default=None, description="Time-based SPI, ES / AT")
    eac: float | None = Field(default=None, description="Estimate at completion, BAC / CPI")
    vac: float | None = Field(default=None, description="Variance at completion, BAC - EAC")


class CurrencyTotalsOut(BaseModel):
    """Sums over the reporting projects in one currency, and indices from the sums."""

    currency: str
    project_count: int
    ev: float
    pv: float
    ac: float
    bac: float
    eac: float
    cv: float
    sv: float
    vac: float
    cpi: float | None
    spi: float | None
    rag: RagValue
    reasons: list[ReasonOut]


class RagCountsOut(BaseModel):
    """Projects per RAG."""

    green: int
    amber: int
    red: int
    unknown: int


class RollUpFiguresOut(BaseModel):
    """Figures of a roll-up: RAG from the summed indices, counts, sums in a single currency.

    The money and indices are those of the single currency when every reporting project
    shares one, and null otherwise (see `totals`, one entry per currency).
    """

    rag: RagValue
    rag_counts: RagCountsOut
    project_count: int
    reporting_count: int
    currency: str | None
    ev: float | None
    pv: float | None
    ac: float | None
    bac: float | None
    eac: float | None
    cpi: float | None
    spi: float | None
    totals: list[CurrencyTotalsOut]
    reasons: list[ReasonOut]
    notes: list[str]


class GroupHealthOut(RollUpFiguresOut):
    """The roll-up of one portfolio or programme; `id` null groups projects outside any."""

    group_by: GroupBy
    id: str | None


class RollUpScopeOut(BaseModel):
    """The filters a portfolio roll-up was asked for (null: not filtered by it)."""

    portfolio_id: str | None
    program_id: str | None


# Pydantic orders inherited fields from the last base to the first, so the scope comes before
# the figures in the answer, as it always has.
class PortfolioHealthOut(RollUpFiguresOut, RollUpScopeOut):
    """A roll-up over the projects the caller may see.

    The top-level money and indices are those of the single currency when every reporting
    project shares one, and null otherwise (see `totals`, one entry per currency).
    """

    group_by: GroupBy | None = Field(
        default=None, description="How `groups` is grouped; null when not asked for"
    )
    groups: list[GroupHealthOut] | None = Field(
        default=None,
        description="With group_by: one roll-up per portfolio or programme, worst RAG first",
    )
    projects: Page[ProjectRagOut]


class ReportPointOut(BaseModel):
    """Which report a point of the history is, and its RAG."""

    as_of: date
    report_id: str
    rag: RagValue


# Pydantic orders inherited fields from the last base to the first: the report comes first.
class HealthPointOut(CoreFiguresOut, ReportPointOut):
    """One report's health as of its own date: a point of the history chart."""

    spi_t: float | None = None
    eac: float | None = None
    vac: float | None = None
    tcpi: float | None = None
    forecast_end_date: date | None = None
    baseline_version: int | None = Field(
        default=None,
        description="The baseline version the report was judged against when it was filed; "
        "kept when the baseline changes later (null: filed before versions were kept)",
    )


class HealthHistoryOut(Page[HealthPointOut]):
    """A project's health per report, oldest first (`limit`/`offset` page it)."""

    project_id: str
    currency: str
