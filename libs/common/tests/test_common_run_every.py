"""run_every: the loop of every periodic job (overdue reports, overdue actions, the ladder)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pmo_common.messaging.waiting import run_every


async def test_a_zero_interval_turns_the_job_off_without_running_a_pass() -> None:
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(1)
        return 1

    await asyncio.wait_for(
        run_every(asyncio.Event(), 0, one_pass, what="check", counted="things"), timeout=5
    )
    assert passes == []


async def test_a_failed_pass_is_logged_and_the_next_tick_runs_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="pmo_common.messaging.waiting")
    stop = asyncio.Event()
    outcomes: list[str] = []

    async def one_pass() -> int:
        if not outcomes:
            outcomes.append("failed")
            raise RuntimeError("database went away")
        outcomes.append("done")
        stop.set()
        return 3

    await asyncio.wait_for(
        run_every(stop, 0.01, one_pass, what="overdue check", counted="reminders sent"),
        timeout=5,
    )
    assert outcomes == ["failed", "done"]
    assert "overdue check failed" in caplog.text
    assert "overdue check: 3 reminders sent" in caplog.text


async def test_stop_ends_the_wait_between_passes() -> None:
    stop = asyncio.Event()
    passes: list[int] = []

    async def one_pass() -> int:
        passes.append(1)
        stop.set()
        return 0

    # An hour between passes: only stop can end the loop within the timeout.
    await asyncio.wait_for(
        run_every(stop, 3600, one_pass, what="check", counted="things"), timeout=5
    )
    assert passes == [1]
