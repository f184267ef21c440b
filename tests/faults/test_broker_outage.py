"""The Kafka broker killed (SIGKILL) in the middle of the load and started again on its data."""

from __future__ import annotations

import asyncio

import pytest
from pmo_stack.testkit.fault_counts import assert_nothing_lost, settle_and_count
from pmo_stack.testkit.fault_infrastructure import FaultServers
from pmo_stack.testkit.fault_kit import FaultKit

pytestmark = pytest.mark.faults


async def test_the_broker_killed_and_restarted_mid_load_loses_nothing(
    servers: FaultServers, faults: FaultKit
) -> None:
    load = faults.new_load("broker kill -9")
    second = await load.first_half_through()

    # The first half's recoveries are in flight; the second half's red reports are taken by
    # monitoring while no event can be published or consumed.
    servers.broker.kill()
    try:
        await load.turn_red(second)
    finally:
        await asyncio.to_thread(servers.broker.restart)
    await load.recover(second)

    counts = await settle_and_count(faults.ledger(load), load.scenario)
    assert_nothing_lost(counts)
