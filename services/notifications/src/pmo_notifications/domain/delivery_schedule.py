"""Delivery statuses and the retry schedule (exponential backoff with a ceiling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PENDING = "pending"
DELIVERED = "delivered"
RETRYING = "retrying"
FAILED = "failed"
SKIPPED = "skipped"
DELIVERY_STATUSES: tuple[str, ...] = (PENDING, DELIVERED, RETRYING, FAILED, SKIPPED)
MAX_RETRY_DELAY_SECONDS = 3600.0


def retry_delay_seconds(
    failed_attempt: int, *, base_seconds: float, cap_seconds: float = MAX_RETRY_DELAY_SECONDS
) -> float:
    """Seconds to wait after attempt `failed_attempt` (1-based) failed: base * 2^(n-1), capped."""
    if failed_attempt < 1:
        raise ValueError("attempts are counted from 1")
    # The exponent is bounded so a large attempt number cannot overflow the float.
    growth = 2.0 ** min(failed_attempt - 1, 32)
    return float(min(cap_seconds, base_seconds * growth))


def may_retry(failed_attempt: int, *, max_attempts: int, retryable: bool = True) -> bool:
    """Whether another attempt follows the failed one."""
    return retryable and failed_attempt < max_attempts


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
    next_attempt_at: datetime
    attempted_at: datetime | None
    completed_at: datetime | None


def outcome_status(
    *, delivered: bool, skipped: bool, attempt: int, max_attempts: int, retryable: bool
) -> str:
    """The status an attempt ends in: delivered, skipped, retrying or failed for good."""
    if delivered:
        return DELIVERED
    if skipped:
        return SKIPPED
    if may_retry(attempt, max_attempts=max_attempts, retryable=retryable):
        return RETRYING
    return FAILED
