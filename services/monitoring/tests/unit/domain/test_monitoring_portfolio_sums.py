"""Roll-ups from sums kept ahead of time: the same health as from the projects themselves."""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.portfolio import (
    SUMMED_FIGURES,
    CurrencySums,
    ProjectHealthSnapshot,
    RagCounts,
    first_day_on_time,
    roll_up,
    roll_up_sums,
)
from pmo_monitoring.domain.reporting_cadence import check_report_overdue

money = st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda x: round(x, 4))
snapshots = st.lists(
    st.builds(
        ProjectHealthSnapshot,
        project_id=st.uuids().map(str),
        rag=st.sampled_from(["green", "amber", "red", "unknown"]),
        currency=st.sampled_from(["EUR", "GBP"]),
        ev=money,
        pv=money,
        ac=money,
        bac=money,
        eac=st.none() | money,
    )
    | st.builds(
        ProjectHealthSnapshot,
        project_id=st.just("silent"),
        rag=st.just("unknown"),
        currency=st.just("EUR"),
    ),
    max_size=12,
)


def _kept(group: list[ProjectHealthSnapshot]) -> tuple[RagCounts, list[CurrencySums]]:
    """What a partial keeps of some projects: its RAG counts and its sums per currency."""
    health = roll_up(group)
    return health.rag_counts, list(health.totals)


@given(snapshots, st.integers(min_value=1, max_value=4))
def test_partials_add_up_to_the_roll_up_of_every_project(
    items: list[ProjectHealthSnapshot], parts: int
) -> None:
    groups = [items[start::parts] for start in range(parts)]
    kept = [_kept(group) for group in groups]

    rolled = roll_up_sums(
        sum((counts for counts, _ in kept), RagCounts()),
        [sums for _, currency_sums in kept for sums in currency_sums],
    )
    expected = roll_up(items)

    assert (rolled.rag_counts, rolled.project_count) == (
        expected.rag_counts,
        expected.project_count,
    )
    assert (rolled.reporting_count, rolled.notes) == (expected.reporting_count, expected.notes)
    assert [t.currency for t in rolled.totals] == [t.currency for t in expected.totals]
    for mine, theirs in zip(rolled.totals, expected.totals, strict=True):
        for name in (*SUMMED_FIGURES, "cpi", "spi"):
            ours, reference = getattr(mine, name), getattr(theirs, name)
            assert (ours is None) == (reference is None)
            if ours is not None:
                assert math.isclose(ours, reference, rel_tol=1e-12, abs_tol=1e-9)


@given(
    st.integers(min_value=-400, max_value=400),
    st.none() | st.integers(min_value=-400, max_value=400),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=30),
)
def test_first_day_on_time_agrees_with_the_overdue_check(
    start: int, last_report: int | None, cadence: int, grace: int
) -> None:
    today = date(2026, 6, 1)
    thresholds = Thresholds(report_cadence_days=cadence, report_grace_days=grace)
    start_date = today + timedelta(days=start)
    last_report_at = None if last_report is None else today + timedelta(days=last_report)
    reference = last_report_at if last_report_at is not None else start_date

    overdue = check_report_overdue(
        start_date=start_date, last_report_at=last_report_at, today=today, thresholds=thresholds
    )

    assert (overdue is not None) == (reference < first_day_on_time(today, thresholds))


def test_a_missed_report_turns_green_and_unknown_amber() -> None:
    counts = RagCounts(green=5, amber=1, red=2, unknown=3)

    assert counts.with_overdue(green=2, unknown=1) == RagCounts(green=3, amber=4, red=2, unknown=2)
    assert counts + counts == RagCounts(green=10, amber=2, red=4, unknown=6)
