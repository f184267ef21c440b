"""The webhook receiver, then the SMTP server, down for "five minutes" in the middle of the load.

Five minutes of the real retry schedule (5 s, 30 s, 2 min, 10 min, ...) pass in
300 * time_scale seconds here: the schedule is compressed by PMO_NOTIFICATIONS_DELIVERY_BACKOFF_
SECONDS (conftest.py), the outage by the same factor. The receiver is really gone meanwhile:
connections are refused until it listens again on the same port.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from pmo_stack.testkit.fault_counts import assert_nothing_lost, settle_and_count
from pmo_stack.testkit.fault_kit import FaultKit

pytestmark = pytest.mark.faults

DOWN_SECONDS_UNCOMPRESSED = 5 * 60


@pytest.mark.parametrize("receiver", ["webhook", "smtp"])
async def test_a_receiver_down_five_minutes_gets_everything_once_when_back(
    receiver: str, time_scale: float, faults: FaultKit
) -> None:
    server = faults.stack.webhooks if receiver == "webhook" else faults.stack.smtp
    load = faults.new_load(f"{receiver} down 5 min")
    second = await load.first_half_through()

    server.stop()
    stopped_at = time.monotonic()
    try:
        await load.turn_red(second)
        # The outage's length is the fault injected, not a wait for something to happen.
        down = DOWN_SECONDS_UNCOMPRESSED * time_scale
        await asyncio.sleep(max(0.0, down - (time.monotonic() - stopped_at)))
    finally:
        server.start()
    await load.recover(second)

    counts = await settle_and_count(faults.ledger(load), load.scenario)
    assert_nothing_lost(counts)
