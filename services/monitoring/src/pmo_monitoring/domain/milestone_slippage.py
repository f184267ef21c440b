"""How far each baseline milestone has slipped, as of a status report."""

from __future__ import annotations

from datetime import date

from pmo_monitoring.domain.model import BaselineMilestone, ProjectBaseline, StatusReport
from pmo_monitoring.domain.value_records import value_record


@value_record
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


@value_record
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
    return MilestonePlan.of(baseline).slippage(report)


def match_key(name: str) -> str:
    """The form of a milestone name reports are matched on: case and surrounding spaces ignored."""
    return name.strip().casefold()


@value_record
class MilestonePlan:
    """A baseline's milestones by due date, each with its match key and its due date's day
    number (`date.toordinal()`): worked out once per baseline, read for every report."""

    milestones: tuple[tuple[str, int, BaselineMilestone], ...]

    @classmethod
    def of(cls, baseline: ProjectBaseline) -> MilestonePlan:
        """The plan of `baseline`'s milestones."""
        by_due_date = sorted(baseline.milestones, key=lambda item: item.due_date)
        return cls(
            tuple(
                (match_key(milestone.name), milestone.due_date.toordinal(), milestone)
                for milestone in by_due_date
            )
        )

    def slippage(self, report: StatusReport) -> MilestoneSlippage:
        """The slippage as of `report` (see milestone_slippage)."""
        as_of = report.as_of
        if not self.milestones:
            return MilestoneSlippage(as_of=as_of, milestones=(), late_count=0, worst=None)
        today = as_of.toordinal()
        reported = {match_key(item.name): item for item in report.milestones}
        slips: list[MilestoneSlip] = []
        worst: MilestoneSlip | None = None
        worst_days = 0
        late_count = 0
        for key, due_day, milestone in self.milestones:
            status = reported.get(key)
            done = status is not None and status.is_done
            forecast = None if status is None else status.forecast_date
            overdue = today - due_day
            days_late = overdue if overdue > 0 and not done else 0
            slip = MilestoneSlip(
                milestone.name,
                milestone.due_date,
                None if status is None else status.status,
                done,
                days_late,
                forecast,
                None if forecast is None else forecast.toordinal() - due_day,
            )
            slips.append(slip)
            slip_days = slip.slip_days
            if slip_days > worst_days:  # strictly: the earliest due wins a tie
                worst, worst_days = slip, slip_days
            late_count += days_late > 0
        return MilestoneSlippage(
            as_of=as_of, milestones=tuple(slips), late_count=late_count, worst=worst
        )
