"""How far each baseline milestone has slipped, as of a status report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.model import ProjectBaseline, StatusReport


@dataclass(frozen=True, slots=True)
class MilestoneSlip:
    """One baseline milestone as of a report.

    `status` is what the report says (None when it does not mention the milestone);
    `days_late` counts from the due date to the report's as_of when the milestone is past due
    and not done (0 otherwise); `forecast_slip_days` is forecast_date - due_date when the
    report gives a forecast (negative when ahead).
    """

    name: str
    due_date: date
    status: str | None
    done: bool
    days_late: int
    forecast_date: date | None
    forecast_slip_days: int | None

    @property
    def slip_days(self) -> int:
        """The larger of the lateness so far and the forecast slip; never below 0."""
        return max(self.days_late, self.forecast_slip_days or 0, 0)


@dataclass(frozen=True, slots=True)
class MilestoneSlippage:
    """All baseline milestones by due date, with the worst slip among them."""

    as_of: date
    milestones: tuple[MilestoneSlip, ...]
    late_count: int
    worst: MilestoneSlip | None

    @property
    def worst_slip_days(self) -> int:
        """Days of the worst slip; 0 when nothing slips."""
        return 0 if self.worst is None else self.worst.slip_days


def milestone_slippage(baseline: ProjectBaseline, report: StatusReport) -> MilestoneSlippage:
    """Each baseline milestone's status, lateness and forecast slip as of the report.

    Milestones are matched by name as the health rules match them (case and surrounding
    spaces ignored). The worst slip is the largest `slip_days`, the earliest due on a tie;
    None when no milestone is late or forecast late.
    """
    reported = {item.name.strip().casefold(): item for item in report.milestones}
    slips: list[MilestoneSlip] = []
    for milestone in sorted(baseline.milestones, key=lambda item: item.due_date):
        status = reported.get(milestone.name.strip().casefold())
        done = status is not None and status.is_done
        forecast = None if status is None else status.forecast_date
        overdue = (report.as_of - milestone.due_date).days
        slips.append(
            MilestoneSlip(
                name=milestone.name,
                due_date=milestone.due_date,
                status=None if status is None else status.status,
                done=done,
                days_late=overdue if overdue > 0 and not done else 0,
                forecast_date=forecast,
                forecast_slip_days=None
                if forecast is None
                else (forecast - milestone.due_date).days,
            )
        )
    worst: MilestoneSlip | None = None
    for slip in slips:
        if slip.slip_days > 0 and (worst is None or slip.slip_days > worst.slip_days):
            worst = slip
    return MilestoneSlippage(
        as_of=report.as_of,
        milestones=tuple(slips),
        late_count=sum(1 for slip in slips if slip.days_late > 0),
        worst=worst,
    )
