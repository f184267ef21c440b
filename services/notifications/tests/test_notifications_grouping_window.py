"""The window arithmetic of grouped deliveries (Alertmanager's group_wait / group_interval), the
bounds of a subscription's window, and what a group's delivery says, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pmo_notifications.domain.alert_group import (
    GroupedAlert,
    compose_group_email,
    event_title,
    group_data,
)
from pmo_notifications.domain.delivery_grouping import (
    MAX_GROUP_SECONDS,
    GroupingWindow,
    group_id,
    grouping_violations,
    held_until,
    joining_due_at,
    next_send_after,
)
from pmo_notifications.handlers.wordings import MessageLanguages

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WINDOW = GroupingWindow(wait_seconds=30, interval_seconds=300)
ENGLISH = MessageLanguages().wording("en")


def seconds(count: float) -> timedelta:
    return timedelta(seconds=count)


def test_the_first_event_of_a_new_group_waits_group_wait() -> None:
    due = joining_due_at(WINDOW, now=NOW, waiting_due_at=None, next_send_at=None)
    assert due == NOW + seconds(30)


def test_an_event_joining_events_that_wait_goes_with_them() -> None:
    first_due = NOW + seconds(12)
    due = joining_due_at(WINDOW, now=NOW, waiting_due_at=first_due, next_send_at=None)
    assert due == first_due


def test_an_event_after_a_send_waits_until_group_interval_after_that_send() -> None:
    sent_at = NOW - seconds(100)
    next_send = next_send_after(WINDOW, sent_at=sent_at)
    assert next_send == sent_at + seconds(300)
    due = joining_due_at(WINDOW, now=NOW, waiting_due_at=None, next_send_at=next_send)
    assert due == NOW + seconds(200)


def test_a_group_quiet_for_longer_than_its_interval_starts_afresh_with_group_wait() -> None:
    next_send = next_send_after(WINDOW, sent_at=NOW - seconds(301))
    due = joining_due_at(WINDOW, now=NOW, waiting_due_at=None, next_send_at=next_send)
    assert due == NOW + seconds(30)


def test_with_no_interval_the_events_after_a_send_wait_group_wait_again() -> None:
    window = GroupingWindow(wait_seconds=30, interval_seconds=0)
    next_send = next_send_after(window, sent_at=NOW)
    assert next_send == NOW
    due = joining_due_at(window, now=NOW, waiting_due_at=None, next_send_at=next_send)
    assert due == NOW + seconds(30)


def test_a_group_is_held_back_until_its_interval_since_the_last_send_has_passed() -> None:
    next_send = NOW + seconds(60)
    assert held_until(next_send_at=next_send, due_by=NOW) == next_send
    assert held_until(next_send_at=next_send, due_by=next_send) is None
    assert held_until(next_send_at=None, due_by=NOW) is None


def test_a_window_groups_only_with_a_wait() -> None:
    assert WINDOW.groups
    assert not GroupingWindow().groups
    assert not GroupingWindow(wait_seconds=0, interval_seconds=0).groups


@pytest.mark.parametrize(
    ("window", "fields"),
    [
        (GroupingWindow(0, 0), []),
        (GroupingWindow(30, 0), []),
        (GroupingWindow(MAX_GROUP_SECONDS, MAX_GROUP_SECONDS), []),
        (GroupingWindow(0, 300), ["group_interval_seconds"]),
        (GroupingWindow(MAX_GROUP_SECONDS + 1, 0), ["group_wait_seconds"]),
        (GroupingWindow(30, MAX_GROUP_SECONDS + 1), ["group_interval_seconds"]),
        (GroupingWindow(-1, 0), ["group_wait_seconds"]),
    ],
)
def test_the_window_bounds_name_the_field_they_refuse(
    window: GroupingWindow, fields: list[str]
) -> None:
    assert [violation.field for violation in grouping_violations(window)] == fields


def test_groups_are_keyed_by_subscription_and_portfolio_and_named_alike_everywhere() -> None:
    assert group_id("s-1", "pf-1") == group_id("s-1", "pf-1")
    ids = {group_id("s-1", "pf-1"), group_id("s-1", "pf-2"), group_id("s-2", "pf-1")}
    ids |= {group_id("s-1", None), group_id("s-1", "")}
    assert len(ids) == 5, "a portfolio, another, another subscription, none and '' all differ"


def _alert(project: str, severity: str, title: str) -> GroupedAlert:
    return GroupedAlert(
        event_id=f"e-{project}",
        type="project.at_risk",
        time=NOW.isoformat(),
        project_id=f"p-{project}",
        project_name=project,
        alert_id=None,
        severity=severity,
        title=title,
        data={"project_name": project, "rag": "red"},
    )


def test_a_grouped_alert_is_stored_and_read_back_whole() -> None:
    alert = _alert("Apollo", "critical", "Project Apollo is at risk (red)")
    assert GroupedAlert.from_json(alert.to_json()) == alert
    assert alert.named("Other") == alert, "a name the event carried is kept"


def test_an_alert_keeps_its_own_title_and_other_events_their_summary() -> None:
    assert event_title({"title": "CPI below 0.90"}, lambda: "[PMO] anything") == "CPI below 0.90"
    summary = "[PMO] Project Apollo is at risk (red)"
    assert event_title({"rag": "red"}, lambda: summary) == "Project Apollo is at risk (red)"


def test_the_group_event_data_lists_every_alert_with_the_portfolio() -> None:
    alerts = [_alert("Apollo", "critical", "a"), _alert("Gemini", "warning", "b")]
    data = group_data("pf-1", alerts)
    assert data["portfolio_id"] == "pf-1"
    assert [entry["project_name"] for entry in data["alerts"]] == ["Apollo", "Gemini"]
    assert data["alerts"][0]["data"] == {"project_name": "Apollo", "rag": "red"}


def test_the_summary_email_lists_each_alert_most_urgent_first() -> None:
    alerts = [
        _alert("Gemini", "warning", "Project Gemini is at risk (amber)"),
        _alert("Apollo", "critical", "Project Apollo is at risk (red)"),
    ]
    email = compose_group_email(ENGLISH, "pf-1", alerts)
    assert email.subject == "[PMO] 2 notifications for portfolio pf-1"
    apollo = email.body.index("[critical] Project Apollo is at risk (red)")
    gemini = email.body.index("[warning] Project Gemini is at risk (amber)")
    assert apollo < gemini
    lone = compose_group_email(ENGLISH, None, alerts[:1])
    assert lone.subject == "[PMO] 1 notification for projects outside any portfolio"
