"""When a status report is overdue, and the figures project.report_overdue carries."""

from datetime import date, timedelta

from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue

START = date(2024, 1, 1)


def check(
    *, last_report_day: int | None, today_day: int, thresholds: Thresholds | None = None
) -> OverdueReport | None:
    return check_report_overdue(
        start_date=START,
        last_report_at=None if last_report_day is None else START + timedelta(last_report_day),
        today=START + timedelta(today_day),
        thresholds=thresholds or Thresholds(),
    )


def test_within_cadence_plus_grace_is_on_time() -> None:
    assert check(last_report_day=10, today_day=27) is None  # 17 days = 14 + 3


def test_one_day_beyond_grace_is_overdue_counted_from_the_due_date() -> None:
    overdue = check(last_report_day=10, today_day=28)

    assert overdue is not None
    assert overdue.due_date == START + timedelta(24)
    assert overdue.days_overdue == 4
    assert overdue.days_since_last_report == 18
    assert overdue.last_report_at == START + timedelta(10)


def test_without_any_report_the_clock_starts_at_the_project_start() -> None:
    overdue = check(last_report_day=None, today_day=18)

    assert overdue is not None
    assert (overdue.due_date, overdue.period) == (START + timedelta(14), 1)
    assert check(last_report_day=None, today_day=17) is None


def test_a_project_not_started_yet_is_never_overdue() -> None:
    assert check(last_report_day=None, today_day=-30) is None


def test_period_moves_on_once_the_next_report_is_missed_too() -> None:
    # No report since day 0: due on day 14 (missed from day 18) and day 28 (from day 32).
    periods = [check(last_report_day=None, today_day=day) for day in (18, 31, 32)]

    assert [p.period if p else None for p in periods] == [1, 1, 2]
    assert periods[2] is not None
    assert periods[2].due_date == START + timedelta(14)  # still counted from the first miss


def test_methodology_cadence_applies() -> None:
    weekly = Thresholds(report_cadence_days=7, report_grace_days=1)

    assert check(last_report_day=0, today_day=8, thresholds=weekly) is None
    assert check(last_report_day=0, today_day=9, thresholds=weekly) is not None
