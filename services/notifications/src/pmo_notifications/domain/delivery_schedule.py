"""Delivery statuses and the retry schedule: quick retries first, then hourly until a give-up
time (24 h by default) measured from the first attempt."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

PENDING = "pending"
DELIVERED = "delivered"
RETRYING = "retrying"
FAILED = "failed"
SKIPPED = "skipped"
DELIVERY_STATUSES: tuple[str, ...] = (PENDING, DELIVERED, RETRYING, FAILED, SKIPPED)
# The waits after the 1st, 2nd, ... failed attempt at scale 1.0 (the last one repeats): 5 s,
# 30 s, 2 min, 10 min, 30 min, then hourly until the give-up time.
RETRY_STEPS_SECONDS: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
MAX_RETRY_DELAY_SECONDS = RETRY_STEPS_SECONDS[-1]
# Each wait is stretched or shrunk by up to this fraction, so retries of many deliveries to one
# receiver that came back do not all arrive in the same second.
JITTER_FRACTION = 0.1


def retry_delay_seconds(failed_attempt: int, *, base_seconds: float, spread: float = 0.0) -> float:
    """Seconds to wait after attempt `failed_attempt` (1-based) failed.

    The step of the schedule for that attempt (RETRY_STEPS_SECONDS, the last repeating), times
    `base_seconds` (1.0 is the schedule as written; smaller compresses it), times
    1 + JITTER_FRACTION * `spread` (`spread` in [-1, 1], drawn at random by the caller).
    """
    if failed_attempt < 1:
        raise ValueError("attempts are counted from 1")
    step = RETRY_STEPS_SECONDS[min(failed_attempt, len(RETRY_STEPS_SECONDS)) - 1]
    spread = max(-1.0, min(1.0, spread))
    return float(base_seconds * step * (1.0 + JITTER_FRACTION * spread))


def next_retry_in(
    failed_attempt: int,
    *,
    elapsed_seconds: float,
    base_seconds: float,
    max_attempts: int,
    give_up_after_seconds: float,
    spread: float = 0.0,
) -> float | None:
    """Seconds until the attempt after the failed one, or None when the delivery is given up.

    `elapsed_seconds` is the time since the schedule started (the first attempt, or a re-send).
    A delivery is given up only once at least `max_attempts` attempts were made and
    `give_up_after_seconds` have passed; the last wait is shortened so that one attempt falls on
    the give-up time itself.
    """
    delay = retry_delay_seconds(failed_attempt, base_seconds=base_seconds, spread=spread)
    if failed_attempt < max_attempts:
        return delay
    remaining = give_up_after_seconds - elapsed_seconds
    if remaining <= 0:
        return None
    return min(delay, remaining)


def may_retry(failed_attempt: int, *, max_attempts: int, retryable: bool = True) -> bool:
    """Whether the minimum number of attempts was not reached yet (a retry follows for sure)."""
    return retryable and failed_attempt < max_attempts


def schedule_started_at(history: Sequence[DeliveryRecord]) -> datetime:
    """When the retry schedule of one message started: its first attempt, or the attempt that
    re-sent it after it had failed. `history` is the message's attempts, in order."""
    if not history:
        raise ValueError("a message has at least one attempt")
    started = history[0].created_at
    for previous, attempt in itertools.pairwise(history):
        if previous.status == FAILED:
            started = attempt.created_at
    return started


@dataclass(frozen=True, slots=True)
class DeliveryContent:
    """What one delivery carries: the event and its context, the channel, the recipient and the
    message (an e-mail's subject and body, or a webhook's CloudEvent)."""

    event_id: str
    event_type: str
    alert_id: str | None
    project_id: str | None
    subscription_id: str | None
    channel: str
    target: str
    subject: str | None
    payload: str


@dataclass(frozen=True, slots=True)
class PlannedDelivery(DeliveryContent):
    """A first attempt to record: who gets what, over which channel."""

    status: str = PENDING
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord(DeliveryContent):
    """One delivery attempt as stored: its content, and how the attempt went."""

    id: str
    message_id: str
    attempt: int
    status: str
    http_status: int | None
    error: str | None
    created_at: datetime
    # When the message was planned (its first attempt's created_at): one project's messages
    # reach a target in this order.
    planned_at: datetime
    next_attempt_at: datetime
    attempted_at: datetime | None
    completed_at: datetime | None


def outcome_status(
    *, delivered: bool, skipped: bool, retryable: bool, retry_in: float | None
) -> str:
    """The status an attempt ends in: delivered, skipped, retrying (`retry_in` seconds from now)
    or failed for good (not retryable, or given up)."""
    if delivered:
        return DELIVERED
    if skipped:
        return SKIPPED
    if retryable and retry_in is not None:
        return RETRYING
    return FAILED
