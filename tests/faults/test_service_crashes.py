"""kill -9 of each service in turn, in the middle of the load, then started again.

The kill lands while the load's events are in flight: intake's just after it registered half the
projects (their `project.created` still in its outbox), the others' just after half the red and
green reports were filed; notifications and standards stay down while the second half is filed.
"""

from __future__ import annotations

import asyncio

import pytest
from pmo_stack.testkit.fault_counts import assert_nothing_lost, settle_and_count
from pmo_stack.testkit.fault_kit import FaultKit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("service", ["intake", "monitoring", "standards", "notifications"])
async def test_a_service_killed_mid_load_loses_nothing(service: str, faults: FaultKit) -> None:
    load = faults.new_load(f"kill -9 {service}")
    first, second = load.halves()
    process = faults.stack.stack.services[service]

    if service == "intake":
        await load.create(first)
        process.kill()
        await asyncio.to_thread(process.restart)
        await load.register(second)
        await load.until_known(first)
        await load.turn_red(load.projects)
        await load.recover(load.projects)
    else:
        await load.register(load.projects)
        await load.turn_red(first)
        await load.recover(first)
        process.kill()
        if service == "monitoring":  # the second half's reports are filed with monitoring
            await asyncio.to_thread(process.restart)
        await load.turn_red(second)
        if not process.is_running:
            await asyncio.to_thread(process.restart)
        await load.recover(second)

    counts = await settle_and_count(faults.ledger(load), load.scenario)
    assert_nothing_lost(counts)
