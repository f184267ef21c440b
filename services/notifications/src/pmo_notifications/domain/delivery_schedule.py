"""Delivery statuses and the retry schedule (exponential backoff with a ceiling)."""

from __future__ import annotations

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
