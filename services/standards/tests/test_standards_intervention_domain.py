"""The pure rules of interventions: topics of red reasons, suggestion ranking, report rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pmo_standards.domain.interventions import (
    ExceptionOption,
    ExceptionReport,
    ReasonNote,
    decision_issues,
    exception_report_issues,
    opens_intervention,
    overdue_days,
)
from pmo_standards.domain.practices import Practice
from pmo_standards.domain.suggested_practices import (
    MAX_SUGGESTIONS,
    rank_suggestions,
    topic_of,
    topics_of,
)

NOW = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "metric", "topic"),
    [
        ("cpi_below_threshold", "cpi", "cost"),
        ("eac_over_budget", "eac", "cost"),
        ("optimism_warning", "tcpi", "cost"),
        ("trend_warning", "cpi_days_to_red", "cost"),
        ("spi_below_threshold", "spi", "schedule"),
        ("spi_t_below_threshold", "spi_t", "schedule"),
        ("trend_warning", "spi_days_to_red", "schedule"),
        ("milestone_overdue", "milestone_days_late", "milestones"),
        ("dependency_at_risk", None, "risk"),
        ("report_overdue", "days_since_last_report", "reporting"),
        ("manager_flagged", "manager_rag", None),
    ],
)
def test_each_reason_of_monitoring_maps_to_its_topic(
    code: str, metric: str | None, topic: str | None
) -> None:
    assert topic_of(ReasonNote(code=code, message="m", metric=metric)) == topic


def test_topics_are_distinct_in_the_order_the_reasons_give_them() -> None:
    reasons = [
        ReasonNote("spi_below_threshold", "m", "spi"),
        ReasonNote("cpi_below_threshold", "m", "cpi"),
        ReasonNote("eac_over_budget", "m", "eac"),
        ReasonNote("manager_flagged", "m", "manager_rag"),
    ]
    assert topics_of(reasons) == ("schedule", "cost")


def practice(name: str, tags: tuple[str, ...], age_days: int) -> Practice:
    return Practice(
        id=name,
        title=name,
        body="b",
        tags=tags,
        methodology=None,
        created_by="admin",
        created_at=NOW - timedelta(days=age_days),
    )


def test_suggestions_rank_by_matching_tags_then_newest_and_are_capped() -> None:
    library = [
        practice("old cost", ("cost",), 30),
        practice("new cost", ("cost", "agile"), 1),
        practice("cost and schedule", ("schedule", "cost"), 60),
        practice("unrelated", ("agile",), 0),
        *(practice(f"filler {n}", ("schedule",), 100 + n) for n in range(MAX_SUGGESTIONS)),
    ]
    ranked = [ref.title for ref in rank_suggestions(library, ("cost", "schedule"))]
    assert ranked == ["cost and schedule", "new cost", "old cost", "filler 0", "filler 1"]
    assert rank_suggestions(library, ()) == ()


def test_only_red_opens_an_intervention() -> None:
    assert opens_intervention("red")
    assert not opens_intervention("amber")


def test_report_rules_name_the_field_they_refuse() -> None:
    assert exception_report_issues(["a", "b"], "b") == []
    assert [i.field for i in exception_report_issues(["a", "b"], "c")] == ["recommendation"]
    assert [i.field for i in exception_report_issues(["a"], "a")] == ["options"]
    assert [i.field for i in exception_report_issues(list("abcdef"), "a")] == ["options"]
    assert [i.field for i in exception_report_issues(["a", "a"], "a")] == ["options"]


def test_approving_needs_one_of_the_reports_options() -> None:
    report = ExceptionReport(
        title="t",
        cause="c",
        consequences="q",
        options=(ExceptionOption("a", "d", 1.0, 0), ExceptionOption("b", "d", 2.0, 3)),
        recommendation="a",
        lessons=None,
        reported_by="pm",
        reported_at=NOW,
    )
    assert decision_issues("approve_option", "b", report) == []
    assert [i.field for i in decision_issues("approve_option", None, report)] == ["option"]
    assert [i.field for i in decision_issues("approve_option", "z", report)] == ["option"]
    assert decision_issues("exception_plan_required", None, report) == []


def test_an_action_is_overdue_from_the_day_after_its_due_date() -> None:
    assert overdue_days(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert overdue_days(date(2026, 3, 1), date(2026, 3, 4)) == 3
    assert overdue_days(date(2026, 3, 9), date(2026, 3, 4)) == 0
