"""The retry schedule: quick retries, then hourly until the give-up time, with jitter."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pmo_notifications.domain.delivery_schedule import (
    DELIVERED,
    FAILED,
    PENDING,
    RETRYING,
    SKIPPED,
    DeliveryRecord,
    next_retry_in,
    outcome_status,
    retry_delay_seconds,
    schedule_started_at,
)

DAY = 86400.0


def attempt_times(*, give_up: float = DAY, max_attempts: int = 5, base: float = 1.0) -> list[float]:
    """Seconds from the first attempt at which each attempt is made, with every one failing."""
    times, elapsed, failed = [0.0], 0.0, 1
    while (
        wait := next_retry_in(
            failed,
            elapsed_seconds=elapsed,
            base_seconds=base,
            max_attempts=max_attempts,
            give_up_after_seconds=give_up,
        )
    ) is not None:
        elapsed += wait
        times.append(elapsed)
        failed += 1
        assert failed < 1000, "the schedule must end"
    return times


def test_the_schedule_starts_quick_and_settles_hourly() -> None:
    waits = [retry_delay_seconds(n, base_seconds=1.0) for n in range(1, 9)]
    assert waits == [5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 3600.0, 3600.0]


def test_a_receiver_down_for_a_minute_or_an_hour_is_still_retried() -> None:
    times = attempt_times()
    assert times[:7] == [0.0, 5.0, 35.0, 155.0, 755.0, 2555.0, 6155.0]
    assert any(60 < t < 300 for t in times), "an attempt after a 60 s outage"
    assert sum(1 for t in times if t > 3600) >= 20, "hourly attempts through the day"


def test_a_delivery_is_given_up_only_at_the_give_up_time() -> None:
    times = attempt_times()
    assert times[-1] == DAY, "the last attempt falls on the give-up time itself"
    assert all(b - a <= 3600.0 for a, b in itertools.pairwise(times))
    # Five attempts fail within 13 minutes: not given up while the give-up time is ahead.
    assert (
        next_retry_in(
            5, elapsed_seconds=755.0, base_seconds=1.0, max_attempts=5, give_up_after_seconds=DAY
        )
        == 1800.0
    )
    assert (
        next_retry_in(
            40, elapsed_seconds=DAY, base_seconds=1.0, max_attempts=5, give_up_after_seconds=DAY
        )
        is None
    )


def test_the_minimum_attempts_hold_even_when_the_give_up_time_has_passed() -> None:
    # A give-up time of 0 is the former rule: failed after max_attempts attempts.
    assert len(attempt_times(give_up=0, max_attempts=3)) == 3
    assert len(attempt_times(give_up=0, max_attempts=1)) == 1


def test_backoff_seconds_scales_the_whole_schedule() -> None:
    assert attempt_times(give_up=DAY / 100, base=0.01)[:4] == pytest.approx([0.0, 0.05, 0.35, 1.55])
    assert attempt_times(give_up=DAY / 100, base=0.01)[-1] == pytest.approx(DAY / 100)


def test_jitter_stretches_or_shrinks_a_wait_by_at_most_ten_percent() -> None:
    assert retry_delay_seconds(2, base_seconds=1.0, spread=1.0) == pytest.approx(33.0)
    assert retry_delay_seconds(2, base_seconds=1.0, spread=-1.0) == pytest.approx(27.0)
    assert retry_delay_seconds(2, base_seconds=1.0, spread=5.0) == pytest.approx(33.0)
    with pytest.raises(ValueError):
        retry_delay_seconds(0, base_seconds=1.0)


def test_outcome_status_fails_only_what_cannot_or_may_no_longer_be_retried() -> None:
    assert outcome_status(delivered=True, skipped=False, retryable=True, retry_in=None) == DELIVERED
    assert outcome_status(delivered=False, skipped=True, retryable=False, retry_in=None) == SKIPPED
    assert outcome_status(delivered=False, skipped=False, retryable=True, retry_in=5.0) == RETRYING
    assert outcome_status(delivered=False, skipped=False, retryable=True, retry_in=None) == FAILED
    assert outcome_status(delivered=False, skipped=False, retryable=False, retry_in=5.0) == FAILED


def _attempt(content: dict[str, Any], number: int, status: str, at: datetime) -> DeliveryRecord:
    return DeliveryRecord(
        **content,
        id=f"d{number}",
        message_id="m",
        attempt=number,
        status=status,
        http_status=None,
        error=None,
        created_at=at,
        planned_at=at,
        next_attempt_at=at,
        attempted_at=None,
        completed_at=None,
    )


def test_the_schedule_restarts_when_a_failed_delivery_is_re_sent(
    delivery_contents: Callable[..., dict[str, Any]],
) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    resent = start + timedelta(days=2)
    content = delivery_contents()
    history = [
        _attempt(content, 1, RETRYING, start),
        _attempt(content, 2, FAILED, start + timedelta(seconds=5)),
        _attempt(content, 3, PENDING, resent),
    ]
    assert schedule_started_at(history[:2]) == start
    assert schedule_started_at(history) == resent
    with pytest.raises(ValueError):
        schedule_started_at([])
