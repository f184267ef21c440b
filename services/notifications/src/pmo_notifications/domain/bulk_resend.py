"""Which given-up deliveries a PMO admin sends again in one go, and the bounds of one request.

A re-send queues a new attempt of the same message (same `message_id`, so receivers de-duplicate
on it) with a fresh retry schedule. Only a message whose latest attempt failed for good
qualifies: a delivered message is never sent again, and one still retrying is left to its
schedule (and to its target's circuit breaker), so repeating a request changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.delivery_schedule import FAILED
from pmo_notifications.domain.rule_violation import RuleViolation

# An outage is hours, a lost day at most: a month covers any one with room to spare, and keeps a
# mistaken request from re-sending a year of history.
MAX_RESEND_RANGE = timedelta(days=31)
# Re-sent by one request at most; the answer's `resent` says how many, and calling again
# (idempotent in effect) re-sends the next ones.
MAX_RESENT_PER_REQUEST = 1000
RESENDABLE_STATUSES = (FAILED,)


@dataclass(frozen=True, slots=True)
class ResendSelection:
    """Messages planned in [created_from, created_to) whose latest attempt ended in `status`,
    narrowed to one subscription and/or one channel."""

    created_from: datetime
    created_to: datetime
    subscription_id: str | None = None
    channel: str | None = None
    status: str = FAILED


def resend_violations(selection: ResendSelection) -> list[RuleViolation]:
    """Every way a re-send request breaks the rules (empty when it may run)."""
    violations: list[RuleViolation] = []
    if selection.subscription_id is None and selection.channel is None:
        violations.append(
            RuleViolation(
                "subscription_id",
                "name a subscription_id or a channel (or both): a time range alone would re-send "
                "to every target, including those that were never down",
            )
        )
    if selection.status not in RESENDABLE_STATUSES:
        violations.append(RuleViolation("status", "only failed deliveries are re-sent"))
    start, end = in_utc(selection.created_from), in_utc(selection.created_to)
    if end <= start:
        violations.append(RuleViolation("created_to", "must be after created_from"))
    elif end - start > MAX_RESEND_RANGE:
        violations.append(
            RuleViolation(
                "created_to",
                f"the range may span at most {MAX_RESEND_RANGE.days} days; "
                "re-send a longer outage in several requests",
            )
        )
    return violations
