"""The items a project's alert of one kind is made of: a missed reporting period, an overdue
recovery action, a metric's early warning.

A project has one open alert per kind; each item is remembered once per project (even after its
alert was resolved), so a replayed or re-sent signal adds no second item and no second reminder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pmo_notifications.domain.reason_line import ReasonLine


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One item of a project's alert, as stored."""

    project_id: str
    item_key: str
    # The alert the item was added to (None: it never opened or joined one).
    alert_id: str | None
    # Whether the item still counts: an early warning not cleared, the latest missed period.
    active: bool
    # The reason line the item gives its alert while active.
    reason: ReasonLine | None
    # A missed period's index (report_overdue).
    period: int | None
    # The report date and health version of the signal that last changed the item (early
    # warnings: they order an episode's start and end), or the last report a missed period knew
    # of (report_overdue).
    as_of: date | None
    health_version: int | None
    signalled_at: datetime


def newer_than(item: AlertItem | None, *, as_of: date, health_version: int | None) -> bool:
    """Whether a signal of (as_of, health_version) is newer than the one `item` last applied
    (a missing version counts as 0, below every real one); any signal is newer than no item.
    An equal stamp is the same assessment told again: not newer."""
    if item is None or item.as_of is None:
        return True
    return (as_of, health_version or 0) > (item.as_of, item.health_version or 0)


def reasons_of(items: Iterable[AlertItem]) -> tuple[ReasonLine, ...]:
    """The reason lines the active items give their alert, in the order they were signalled."""
    ordered = sorted(items, key=lambda item: (item.signalled_at, item.item_key))
    return tuple(item.reason for item in ordered if item.active and item.reason is not None)
