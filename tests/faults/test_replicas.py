"""Two processes of each consuming service (monitoring, notifications, standards) on the same
database and consumer group; one of each killed (SIGKILL) in the middle of the load.

The survivors take over the partitions once the group notices the dead member, and notifications'
survivor the deliveries the dead one had claimed once their lease runs out.
"""

from __future__ import annotations

import asyncio

import pytest
from pmo_stack.testkit.fault_counts import assert_nothing_lost, settle_and_count
from pmo_stack.testkit.fault_kit import FaultKit
from pmo_stack.testkit.replicas import replicas_of

pytestmark = pytest.mark.faults

CONSUMING_SERVICES = ("monitoring", "notifications", "standards")


async def test_two_replicas_of_each_consumer_one_killed_mid_load_lose_nothing(
    faults: FaultKit,
) -> None:
    with replicas_of(faults.stack, *CONSUMING_SERVICES) as replicas:
        load = faults.new_load("two replicas, one killed")
        second = await load.first_half_through()

        originals = [faults.stack.stack.services[service] for service in CONSUMING_SERVICES]
        for process in originals:
            process.kill()
        # Callers now reach the survivors, as a load balancer would.
        load.urls.update({service: replica.url for service, replica in replicas.items()})
        try:
            await load.turn_red(second)
            await load.recover(second)
            counts = await settle_and_count(faults.ledger(load), load.scenario)
        finally:
            await asyncio.gather(*(asyncio.to_thread(p.restart) for p in originals))
    assert_nothing_lost(counts)
