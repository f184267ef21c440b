"""Pure rules added for the service: report acceptance, thresholds precedence, RAG today."""

from __future__ import annotations

from datetime import date

import pytest
from pmo_monitoring.domain.methodology_thresholds import thresholds_for_methodology
from pmo_monitoring.domain.model import BaselineMilestone, ProjectBaseline, Thresholds
from pmo_monitoring.domain.rag_as_of_today import rag_as_of_today
from pmo_monitoring.domain.report_acceptance import check_report_fits_baseline

BASELINE = ProjectBaseline(
    project_id="p",
    name="Apollo",
    start_date=date(2026, 1, 1),
    end_date=date(2026, 12, 31),
    budget=1000.0,
    milestones=(BaselineMilestone("Design", date(2026, 3, 1)),),
)
TODAY = date(2026, 6, 1)


def test_a_report_within_the_project_with_known_milestones_is_accepted() -> None:
    assert (
        check_report_fits_baseline(
            BASELINE, as_of=date(2026, 5, 31), milestone_names=[" design "], today=TODAY
        )
        == []
    )


def test_report_dates_outside_start_and_today_are_refused() -> None:
    early = check_report_fits_baseline(
        BASELINE, as_of=date(2025, 12, 31), milestone_names=[], today=TODAY
    )
    future = check_report_fits_baseline(
        BASELINE, as_of=date(2026, 6, 2), milestone_names=[], today=TODAY
    )
    assert [(p.field, "start date" in p.reason) for p in early] == [("as_of", True)]
    assert [(p.field, "future" in p.reason) for p in future] == [("as_of", True)]


def test_unknown_and_repeated_milestones_are_refused() -> None:
    problems = check_report_fits_baseline(
        BASELINE, as_of=TODAY, milestone_names=["Design", "Build", "DESIGN"], today=TODAY
    )
    assert [p.field for p in problems] == ["milestones.1.name", "milestones.2.name"]
    assert '"Design"' in problems[0].reason


def test_thresholds_precedence_defaults_then_cadence_then_explicit() -> None:
    assert thresholds_for_methodology(report_cadence_days=None, overrides=None) == Thresholds()
    cadence = thresholds_for_methodology(report_cadence_days=7, overrides={"cpi_red": 0.8})
    assert (cadence.report_cadence_days, cadence.cpi_red, cadence.cpi_amber) == (7, 0.8, 0.95)
    explicit = thresholds_for_methodology(
        report_cadence_days=7, overrides={"report_cadence_days": 10}
    )
    assert explicit.report_cadence_days == 10
    with pytest.raises(ValueError):
        thresholds_for_methodology(report_cadence_days=7, overrides={"cpi_red": 0.99})


@pytest.mark.parametrize(
    ("stored", "last_report_at", "expected"),
    [
        (None, None, "amber"),  # never reported, started long ago
        ("green", date(2026, 5, 25), "green"),
        ("green", date(2026, 5, 1), "amber"),  # 31 days since the last report
        ("red", date(2026, 5, 1), "red"),
    ],
)
def test_rag_as_of_today_adds_only_the_overdue_signal(
    stored: str | None, last_report_at: date | None, expected: str
) -> None:
    rag = rag_as_of_today(
        stored,  # type: ignore[arg-type]
        start_date=BASELINE.start_date,
        last_report_at=last_report_at,
        today=TODAY,
        thresholds=Thresholds(),
    )
    assert rag == expected


def test_rag_of_a_fresh_project_without_report_is_unknown() -> None:
    rag = rag_as_of_today(
        None,
        start_date=date(2026, 5, 30),
        last_report_at=None,
        today=TODAY,
        thresholds=Thresholds(),
    )
    assert rag == "unknown"
