"""Grouped deliveries per subscription, as Alertmanager groups alerts (ADR 0017).

A subscription with a `group_wait_seconds` above 0 receives the events of one portfolio together:
the first event of a new group waits `group_wait_seconds` for others to join it; once the group
went out, the events that follow wait until `group_interval_seconds` after that send. A group is
keyed by (subscription, portfolio of the event); events without a portfolio form a group of
their own.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmo_notifications.domain.rule_violation import RuleViolation
from pmo_notifications.domain.subscription_matching import SubscriptionRecord

# The status of an event's delivery that went, or will go, out in its group's one delivery.
GROUPED = "grouped"
# Neither wait is longer than a day: past that, a digest is the better tool (ADR 0018).
MAX_GROUP_SECONDS = 86_400
# The ids of groups are derived from their key, so every replica names a group alike.
_GROUP_NAMESPACE = uuid.UUID("5b0b8a3e-7d0c-4f57-9a52-2f4b1f0c6a17")


@dataclass(frozen=True, slots=True)
class GroupingWindow:
    """How long a subscription's events wait to go out together (0, 0: each at once)."""

    wait_seconds: int = 0
    interval_seconds: int = 0

    @property
    def groups(self) -> bool:
        """Whether the subscription's deliveries are grouped at all."""
        return self.wait_seconds > 0


@dataclass(frozen=True, slots=True)
class DeliveryGroup:
    """A subscription's group of events of one portfolio, as stored: when it last went out
    (None: never), the earliest it may go out again, and how many times it went out."""

    id: str
    subscription_id: str
    portfolio_id: str | None
    created_at: datetime
    last_sent_at: datetime | None = None
    next_send_at: datetime | None = None
    sends: int = 0


@dataclass(frozen=True, slots=True)
class GroupableSubscription(SubscriptionRecord):
    """A subscription as stored, with its grouping window (both 0 for one that does not group).

    The matching rule's record (domain/subscription_matching.py) knows nothing of grouping; the
    repository reads every subscription as this one, so routing, the API and the group job find
    the window on the record they already hold.
    """

    group_wait_seconds: int = 0
    group_interval_seconds: int = 0

    @property
    def window(self) -> GroupingWindow:
        """The subscription's grouping window."""
        return GroupingWindow(self.group_wait_seconds, self.group_interval_seconds)


def grouping_window(subscription: SubscriptionRecord) -> GroupingWindow:
    """The subscription's window; a record read without one does not group."""
    if isinstance(subscription, GroupableSubscription):
        return subscription.window
    return GroupingWindow()


def grouping_violations(window: GroupingWindow) -> list[RuleViolation]:
    """Every bound the window breaks: an interval needs a wait (grouping is off without one)."""
    violations: list[RuleViolation] = []
    for field, seconds in (
        ("group_wait_seconds", window.wait_seconds),
        ("group_interval_seconds", window.interval_seconds),
    ):
        if not 0 <= seconds <= MAX_GROUP_SECONDS:
            violations.append(
                RuleViolation(field, f"must be between 0 and {MAX_GROUP_SECONDS} seconds")
            )
    if window.interval_seconds > 0 and window.wait_seconds == 0:
        violations.append(
            RuleViolation(
                "group_interval_seconds",
                "needs group_wait_seconds above 0: without a wait, deliveries are not grouped",
            )
        )
    return violations


def group_id(subscription_id: str, portfolio_id: str | None) -> str:
    """The id of the group of a subscription's events of one portfolio (None: no portfolio)."""
    return str(uuid.uuid5(_GROUP_NAMESPACE, json.dumps([subscription_id, portfolio_id])))


def joining_due_at(
    window: GroupingWindow,
    *,
    now: datetime,
    waiting_due_at: datetime | None,
    next_send_at: datetime | None,
) -> datetime:
    """When an event joining its group at `now` goes out.

    With events already waiting, it goes with them. Otherwise, a group sent less than
    `interval_seconds` ago sends again only at `next_send_at`; any other group is new (never
    sent, or quiet for longer than its interval) and waits `wait_seconds` for more events.
    """
    if waiting_due_at is not None:
        return waiting_due_at
    if next_send_at is not None and next_send_at > now:
        return next_send_at
    return now + timedelta(seconds=window.wait_seconds)


def next_send_after(window: GroupingWindow, *, sent_at: datetime) -> datetime:
    """The earliest the group may go out again after a send at `sent_at`."""
    return sent_at + timedelta(seconds=window.interval_seconds)


def held_until(*, next_send_at: datetime | None, due_by: datetime) -> datetime | None:
    """Until when a group whose events are due by `due_by` is held back: its interval since
    the last send has not passed yet (None: it may go out now)."""
    if next_send_at is not None and next_send_at > due_by:
        return next_send_at
    return None
