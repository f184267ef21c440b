"""When a status report is due, and whether a project has missed one."""

from __future__ import annotations

from datetime import date, timedelta

from pmo_monitoring.domain.calendar_bounds import BEYOND_HORIZON, days_after
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.value_records import value_record

NO_NEXT_REPORT_DUE = phrase(
    "The next status report's due date cannot be given: it would fall {beyond}.",
    beyond=BEYOND_HORIZON,
)


@value_record
class OverdueReport:
    """A missed status report, shaped for `project.report_overdue`.

    `due_date` is the first date a report was due and did not come; `days_overdue` counts from
    it; `days_since_last_report` from the last report (or the project start when none came).
    `period` indexes the latest missed reporting period counted from the project start
    (floor(days from start to that due date / cadence)), so a consumer can publish once per
    missed period and again when the next one is missed too.
    """

    last_report_at: date | None
    due_date: date
    days_overdue: int
    days_since_last_report: int
    period: int


def check_report_overdue(
    *,
    start_date: date,
    last_report_at: date | None,
    today: date,
    thresholds: Thresholds,
) -> OverdueReport | None:
    """The missed report as of `today`, or None when the project is within cadence + grace.

    A report is due `report_cadence_days` after the last one (after the start date when none
    came yet) and is overdue once more than `report_grace_days` have passed beyond that: with
    the defaults, a project last reported 17 days ago is on time and one reported 18 days ago
    is overdue. A project that has not started is never overdue.
    """
    reference = last_report_at if last_report_at is not None else start_date
    elapsed = (today - reference).days
    cadence = thresholds.report_cadence_days
    grace = thresholds.report_grace_days
    if elapsed <= cadence + grace:
        return None
    latest_missed = (elapsed - grace - 1) // cadence  # largest k with k*cadence + grace < elapsed
    first_due = reference + timedelta(days=cadence)
    latest_due = reference + timedelta(days=latest_missed * cadence)
    return OverdueReport(
        last_report_at=last_report_at,
        due_date=first_due,
        days_overdue=(today - first_due).days,
        days_since_last_report=elapsed,
        period=max((latest_due - start_date).days // cadence, 0),
    )


def next_report_due(
    *, start_date: date, last_report_at: date | None, thresholds: Thresholds
) -> date | None:
    """When the next status report is due: `report_cadence_days` after the last one (after
    the start date before the first). None when that date would fall after the last date
    monitoring forecasts (see calendar_bounds; `NO_NEXT_REPORT_DUE` says so in words)."""
    reference = last_report_at if last_report_at is not None else start_date
    return days_after(reference, thresholds.report_cadence_days)
