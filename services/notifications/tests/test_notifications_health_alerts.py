"""The at-risk alert follows its project's colour (ADR 0016): a warning while amber (inbox, no
e-mail, no escalation), critical while red (the same alert, the manager e-mailed, the ladder
started), lowered back at amber, resolved at green; whatever order the three topics deliver in.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pmo_common.events.envelope import CloudEvent

from .signal_events import (
    ApolloSignals,
    alerts_of,
    apply_all,
    deliveries_to_subscription,
    emails_to,
    subscribe,
)

AS_ADA = ("project_manager", "ada@example.com")


def new_apollo() -> ApolloSignals:
    return ApolloSignals(str(uuid.uuid4()))


async def inbox_ids(notifications: Any) -> list[str]:
    answer = await notifications.client.get("/v1/inbox", headers=notifications.auth(*AS_ADA))
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


async def severity_events(notifications: Any, project_id: str) -> list[tuple[str, str]]:
    changed = await notifications.outbox_events("alert.severity_changed")
    return [
        (event.data["previous_severity"], event.data["severity"])
        for event in changed
        if event.data["project_id"] == project_id
    ]


async def test_amber_red_amber_green_is_one_alert_whose_severity_follows(
    notifications: Any,
) -> None:
    apollo = new_apollo()

    # Amber: a warning in Ada's inbox, nobody e-mailed, not on the escalation ladder.
    await apply_all(notifications, apollo.changed("green", "amber", version=1))
    (alert,) = await alerts_of(notifications, apollo.project_id)
    assert (alert["kind"], alert["severity"], alert["status"]) == ("at_risk", "warning", "open")
    assert alert["title"] == "Project Apollo is at risk (amber)"
    assert alert["next_escalation_at"] is None
    assert await inbox_ids(notifications) == [alert["id"]]
    assert await emails_to(notifications, apollo.project_id) == []

    # Red: the same alert raised to critical, Ada e-mailed, the ladder started.
    await apply_all(
        notifications, apollo.changed("amber", "red", version=2), apollo.at_risk(version=2)
    )
    (raised,) = await alerts_of(notifications, apollo.project_id)
    assert (raised["id"], raised["severity"]) == (alert["id"], "critical")
    assert [(c["from"], c["to"]) for c in raised["severity_changes"]] == [("warning", "critical")]
    assert raised["next_escalation_at"] is not None
    assert await emails_to(notifications, apollo.project_id) == ["project.at_risk"]
    assert await severity_events(notifications, apollo.project_id) == [("warning", "critical")]

    # Back to amber: lowered, off the ladder, Ada told it recovered from red.
    await apply_all(
        notifications,
        apollo.changed("red", "amber", version=3),
        apollo.recovered("amber", version=3),
    )
    (lowered,) = await alerts_of(notifications, apollo.project_id)
    assert (lowered["id"], lowered["severity"], lowered["status"]) == (
        alert["id"],
        "warning",
        "open",
    )
    assert lowered["next_escalation_at"] is None
    assert [c["to"] for c in lowered["severity_changes"]] == ["critical", "warning"]
    assert await severity_events(notifications, apollo.project_id) == [
        ("warning", "critical"),
        ("critical", "warning"),
    ]
    assert await emails_to(notifications, apollo.project_id) == [
        "project.at_risk",
        "project.recovered",
    ]

    # Green: resolved.
    await apply_all(notifications, apollo.changed("amber", "green", version=4))
    (resolved,) = await alerts_of(notifications, apollo.project_id)
    assert (resolved["id"], resolved["status"]) == (alert["id"], "resolved")
    assert resolved["resolution_note"] == "Project recovered to green"
    assert await inbox_ids(notifications) == []
    assert await notifications.outbox_types("alert.raised") == ["alert.raised"]


def _versions(apollo: ApolloSignals) -> dict[str, CloudEvent]:
    # Amber (1), red (2), amber (3), green (4), as monitoring publishes them.
    return {
        "amber1": apollo.changed("green", "amber", version=1),
        "red2": apollo.changed("amber", "red", version=2),
        "at_risk2": apollo.at_risk(version=2),
        "amber3": apollo.changed("red", "amber", version=3),
        "recovered3": apollo.recovered("amber", version=3),
        "green4": apollo.changed("amber", "green", version=4),
    }


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # The newest signal decides; older ones arriving late change nothing.
        (["recovered3", "at_risk2", "amber1"], ("warning", "open")),
        (["at_risk2", "amber1"], ("critical", "open")),
        (["amber3", "at_risk2", "recovered3", "red2"], ("warning", "open")),
        (["green4", "amber1", "at_risk2", "recovered3"], ("critical", "resolved")),
        (["amber1", "green4", "amber3"], ("warning", "resolved")),
    ],
    ids=[
        "recovery-before-at-risk",
        "stale-amber-after-red",
        "amber-change-before-recovery",
        "green-first",
        "stale-amber-after-green",
    ],
)
async def test_signals_out_of_order_leave_the_newest_colours_alert(
    notifications: Any, order: list[str], expected: tuple[str, str]
) -> None:
    apollo = new_apollo()
    events = _versions(apollo)
    await apply_all(notifications, *(events[name] for name in order))
    alerts = await alerts_of(notifications, apollo.project_id)
    # The newest alert is as the newest colour says; at most one is ever active.
    assert (alerts[0]["severity"], alerts[0]["status"]) == expected
    assert sum(alert["status"] != "resolved" for alert in alerts) <= 1


async def test_a_late_at_risk_after_the_recovery_mails_no_at_risk(notifications: Any) -> None:
    apollo = new_apollo()
    events = _versions(apollo)
    await apply_all(notifications, events["green4"], events["at_risk2"])
    assert await emails_to(notifications, apollo.project_id) == []
    assert all(
        alert["status"] == "resolved" for alert in await alerts_of(notifications, apollo.project_id)
    )


async def test_a_late_at_risk_of_an_episode_opened_at_amber_adds_no_second_alert(
    notifications: Any,
) -> None:
    """Amber opened the warning, green resolved it, and only then the red between them arrived
    (two topics, no order between them): still one alert for the one episode."""
    apollo = new_apollo()
    events = _versions(apollo)
    await apply_all(notifications, events["amber1"], events["green4"], events["at_risk2"])
    (alert,) = await alerts_of(notifications, apollo.project_id)
    assert (alert["severity"], alert["status"]) == ("warning", "resolved")
    assert await emails_to(notifications, apollo.project_id) == []


async def test_an_unknown_colour_leaves_the_alert_as_it_is(notifications: Any) -> None:
    apollo = new_apollo()
    await apply_all(
        notifications,
        apollo.changed("green", "amber", version=1),
        apollo.changed("amber", "unknown", version=2),
    )
    (alert,) = await alerts_of(notifications, apollo.project_id)
    assert (alert["severity"], alert["status"]) == ("warning", "open")


async def test_acknowledged_warning_raised_to_critical_stays_acknowledged_and_mails(
    notifications: Any,
) -> None:
    apollo = new_apollo()
    await apply_all(notifications, apollo.changed("green", "amber", version=1))
    (alert,) = await alerts_of(notifications, apollo.project_id)
    acked = await notifications.client.post(
        f"/v1/alerts/{alert['id']}/acknowledge", headers=notifications.auth(*AS_ADA)
    )
    assert acked.status_code == 200, acked.text

    await apply_all(notifications, apollo.at_risk(version=2))
    (raised,) = await alerts_of(notifications, apollo.project_id)
    assert (raised["severity"], raised["status"]) == ("critical", "acknowledged")
    # Someone is on it: it does not climb, but the manager hears it got worse.
    assert raised["next_escalation_at"] is None
    assert await emails_to(notifications, apollo.project_id) == ["project.at_risk"]


async def test_health_changes_are_subscribable_with_their_colours_severity(
    notifications: Any,
) -> None:
    apollo = new_apollo()
    subscription_id = await subscribe(
        notifications, apollo.project_id, "project.health_changed", "alert.severity_changed"
    )
    await apply_all(
        notifications,
        apollo.changed("green", "amber", version=1),  # warning: routed
        apollo.changed("amber", "red", version=2),  # critical: routed
        apollo.at_risk(version=2),  # raises the alert: severity_changed routed
        apollo.changed("red", "green", version=3),  # info: below the subscription's minimum
    )
    assert await deliveries_to_subscription(notifications, subscription_id) == [
        "project.health_changed",
        "project.health_changed",
        "alert.severity_changed",
    ]
