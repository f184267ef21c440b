"""Early warnings (ADR 0016): one `early_warning` alert per project whose reasons are its active
warnings by metric, resolved when the last one clears; in the inbox, e-mailed to nobody, and
routed to the subscribers of project.early_warning."""

from __future__ import annotations

import uuid
from typing import Any

from .signal_events import (
    ApolloSignals,
    alerts_of,
    apply_all,
    deliveries_to_subscription,
    emails_to,
    subscribe,
)


def new_apollo() -> ApolloSignals:
    return ApolloSignals(str(uuid.uuid4()))


def metrics_of(alert: dict[str, Any]) -> list[str]:
    return [reason["metric"] for reason in alert["reasons"]]


async def test_warnings_open_add_to_and_clear_from_one_alert(notifications: Any) -> None:
    apollo = new_apollo()
    await apply_all(notifications, apollo.early_warning("cpi", version=1))
    (alert,) = await alerts_of(notifications, apollo.project_id, "early_warning")
    assert (alert["severity"], alert["status"]) == ("warning", "open")
    assert alert["title"] == "Project Apollo: early warning on CPI"
    assert alert["reasons"][0]["code"] == "trend_warning"
    inbox = await notifications.client.get(
        "/v1/inbox", headers=notifications.auth("project_manager", "ada@example.com")
    )
    assert [item["id"] for item in inbox.json()["items"]] == [alert["id"]]

    # A second metric's warning joins the same alert; the first one told again adds nothing.
    await apply_all(
        notifications,
        apollo.early_warning("tcpi", version=2),
        apollo.early_warning("cpi", version=1),
    )
    (joined,) = await alerts_of(notifications, apollo.project_id, "early_warning")
    assert joined["id"] == alert["id"]
    assert metrics_of(joined) == ["cpi", "tcpi"]
    assert joined["title"] == "Project Apollo: early warnings on CPI, TCPI"

    await apply_all(notifications, apollo.early_warning_cleared("cpi", version=3))
    (left,) = await alerts_of(notifications, apollo.project_id, "early_warning")
    assert (left["status"], metrics_of(left)) == ("open", ["tcpi"])

    await apply_all(notifications, apollo.early_warning_cleared("tcpi", version=4))
    (resolved,) = await alerts_of(notifications, apollo.project_id, "early_warning")
    assert (resolved["id"], resolved["status"]) == (alert["id"], "resolved")
    assert resolved["resolution_note"] == "Every early warning of the project cleared"
    # A warning is for the inbox and the digest: nobody was e-mailed.
    assert await emails_to(notifications, apollo.project_id) == []


async def test_a_warning_older_than_its_clearing_opens_nothing(notifications: Any) -> None:
    apollo = new_apollo()
    # The end of the episode (version 5) arrives before its start (version 4).
    await apply_all(
        notifications,
        apollo.early_warning_cleared("spi_t", version=5),
        apollo.early_warning("spi_t", version=4),
    )
    assert await alerts_of(notifications, apollo.project_id, "early_warning") == []

    # A new episode after it does open the alert.
    await apply_all(notifications, apollo.early_warning("spi_t", version=6))
    (alert,) = await alerts_of(notifications, apollo.project_id, "early_warning")
    assert alert["title"] == "Project Apollo: early warning on SPI(t)"


async def test_early_warnings_reach_their_subscribers(notifications: Any) -> None:
    apollo = new_apollo()
    subscription_id = await subscribe(
        notifications, apollo.project_id, "project.early_warning", "project.early_warning_cleared"
    )
    await apply_all(
        notifications,
        apollo.early_warning("cpi", version=1),
        apollo.early_warning_cleared("cpi", version=2),
    )
    assert await deliveries_to_subscription(notifications, subscription_id) == [
        "project.early_warning",
        "project.early_warning_cleared",
    ]
