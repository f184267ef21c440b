"""GET /v1/projects/{id}/baseline-variance: original baseline vs the one in force vs forecast."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pmo_common.web.app_factory import SessionDep
from pydantic import BaseModel, Field

from pmo_monitoring.api.access import ScopedCaller, ensure_can_read
from pmo_monitoring.handlers.baseline_variance_queries import project_baseline_variance
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.project_queries import load_project

router = APIRouter(prefix="/v1", tags=["health"])


class BudgetVarianceOut(BaseModel):
    """The budget (BAC) promised first, promised now and forecast, in the project's currency.
    Each difference is the later minus the earlier: positive means more money."""

    original: float = Field(description="BAC of the original baseline (`original_version`)")
    current: float = Field(description="BAC of the baseline in force (`current_version`)")
    forecast: float | None = Field(
        description="EAC (BAC / CPI) of today's health, judged against the baseline in "
        "force; null before a report or where CPI cannot be computed"
    )
    current_vs_original: float = Field(description="current - original: what re-baselines added")
    forecast_vs_current: float | None = Field(
        description="forecast - current: the overrun forecast against the baseline in force"
    )
    forecast_vs_original: float | None = Field(
        description="forecast - original: the overrun forecast against the original promise"
    )


class DateVarianceOut(BaseModel):
    """A date promised first, promised now and forecast. Each difference is in days, the
    later minus the earlier: positive means later; null where either side is null."""

    original: date | None = Field(description="In the original baseline (null: not in it)")
    current: date | None = Field(description="In the baseline in force (null: removed)")
    forecast: date | None = Field(description="Forecast (null: no forecast yet)")
    current_vs_original_days: int | None = Field(description="current - original, in days")
    forecast_vs_current_days: int | None = Field(description="forecast - current, in days")
    forecast_vs_original_days: int | None = Field(description="forecast - original, in days")


class MilestoneVarianceOut(DateVarianceOut):
    """A milestone by name: its original and current due dates and, where the latest report
    gives one, its forecast date. Milestones in force come first by due date, then those a
    re-baseline removed."""

    name: str


class BaselineVarianceOut(BaseModel):
    """A project's original baseline against the baseline in force and today's forecast."""

    project_id: str
    project_name: str
    currency: str
    as_of: date = Field(description="The day the forecast is for (today, UTC)")
    last_report_at: date | None = Field(description="as_of of the report the forecast is from")
    last_report_id: str | None
    original_version: int = Field(
        description="The baseline compared as the original: version 1, unless monitoring "
        "never heard of it (then the oldest version it knows)"
    )
    current_version: int = Field(
        description="The baseline in force: the one health is judged against "
        "(`baseline_version` of GET /v1/projects/{id}/health)"
    )
    budget: BudgetVarianceOut
    end_date: DateVarianceOut = Field(
        description="Planned end dates and the earned-schedule forecast end (start + planned "
        "duration / SPI(t))"
    )
    milestones: list[MilestoneVarianceOut]


@router.get(
    "/projects/{project_id}/baseline-variance",
    response_model=BaselineVarianceOut,
    responses={404: {"description": "Not found: monitoring has not heard of the project"}},
)
async def read_baseline_variance(
    project_id: str, principal: ScopedCaller, session: SessionDep
) -> BaselineVarianceOut:
    """What was promised first, what is promised now and where the project is heading.

    Budget, end date and each milestone in the original baseline (version 1), the baseline
    in force (after approved change requests) and the forecast of today's health, with the
    differences between them (money, or days). Readable by whoever may read the project's
    health.
    """
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    view = await project_baseline_variance(session, context, today=today_utc())
    return BaselineVarianceOut.model_validate(view)
