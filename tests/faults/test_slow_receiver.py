"""A webhook receiver that answers one byte a second delays no other target and no e-mail.

The slow host has three subscriptions (three URLs on it), so it is owed three times as many
webhooks as anyone else. The same load runs twice in this test: first with it answering at once
(the baseline), then with it trickling its answers. For each at-risk alert, the time from its
opening (when its deliveries are planned) to the arrival of the manager's e-mail and of the other
receiver's webhook is measured in both runs; with the slow host held to its cap of requests in
flight (PMO_NOTIFICATIONS_WEBHOOK_MAX_CONCURRENCY_PER_HOST) and each request to its deadline, the
others keep their pace. Once the host answers promptly again it gets every message it missed,
each under the id it was first sent with.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.alert_load import AtRiskLoad
from pmo_stack.testkit.fault_counts import (
    assert_nothing_lost,
    settle_and_count,
    told_about,
)
from pmo_stack.testkit.fault_kit import FaultKit
from pmo_stack.testkit.stack_ledger import at_risk_alerts
from pmo_stack.testkit.told import AT_RISK, RECOVERED, Told, WebhookTarget
from pmo_stack.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.faults

SECONDS_PER_BYTE = 1.0
SLOW_PATHS = ("/slow-1", "/slow-2", "/slow-3")
PER_HOST_CAP = 2  # PMO_NOTIFICATIONS_WEBHOOK_MAX_CONCURRENCY_PER_HOST, as conftest.py sets it
# How many times longer the others' median delay may be while the host is slow than in the
# baseline: the two runs differ by noise (ratios of 0.7-0.9 measured), while a host holding the
# delivery slots for a long read (the 84 s stall this suite was written after) makes it tens.
# Whether the host is held to its cap is counted directly, at the host.
MOST_SLOWDOWN = 3.0


@pytest.fixture
def slow_host(subscriptions: Any) -> Iterator[dict[str, WebhookTarget]]:
    """A second receiver, subscribed at three URLs for this test only; the targets by name."""
    with WebhookReceiver("127.0.0.1", 0) as receiver:
        ids = [subscriptions.add(receiver, path) for path in SLOW_PATHS]
        try:
            yield {path.strip("/"): WebhookTarget(receiver, path) for path in SLOW_PATHS}
        finally:
            for subscription_id in ids:
                subscriptions.remove(subscription_id)


def _others(load: AtRiskLoad) -> list[Told]:
    """What the managers' mailboxes and the other receiver were told about the load."""
    return told_about(load, load.ids, {"webhook": WebhookTarget(load.stack.webhooks)})


async def _delays(load: AtRiskLoad) -> list[float]:
    """Seconds from each at-risk alert's opening to its e-mail and to its other webhook."""
    alerts = await at_risk_alerts(load.http, load.urls["notifications"], load.admin, load.ids)
    opened = {a["project_id"]: datetime.fromisoformat(a["opened_at"]) for a in alerts}
    return [delay for told in _others(load) for delay in told.delays(AT_RISK, opened)]


def _median_and_p90(delays: list[float]) -> tuple[float, float]:
    return statistics.median(delays), statistics.quantiles(delays, n=10)[-1]


async def _run(load: AtRiskLoad) -> None:
    await load.register(load.projects)
    await load.turn_red(load.projects)
    await load.recover(load.projects)


async def test_a_slow_receiver_delays_no_other_target_and_no_email(
    faults: FaultKit, slow_host: dict[str, WebhookTarget]
) -> None:
    receiver = next(iter(slow_host.values())).receiver
    baseline = faults.new_load("slow receiver baseline")
    await _run(baseline)
    assert_nothing_lost(await settle_and_count(faults.ledger(baseline, **slow_host), "baseline"))

    receiver.clear()
    receiver.trickle(SECONDS_PER_BYTE)
    load = faults.new_load("slow receiver")
    try:
        await _run(load)

        async def others_told_everything() -> bool:
            recovered = {p.id for p in load.recovering}
            return all(
                told.projects(AT_RISK) >= load.ids and told.projects(RECOVERED) >= recovered
                for told in _others(load)
            )

        await eventually(
            others_told_everything,
            within=120,
            what="the e-mails and the other receiver's webhooks while one receiver is slow",
        )
        most_in_flight = receiver.most_in_flight
    finally:
        receiver.trickle(None)

    counts = await settle_and_count(faults.ledger(load, **slow_host), load.scenario)
    usual, usual_p90 = _median_and_p90(await _delays(baseline))
    slowed, slowed_p90 = _median_and_p90(await _delays(load))
    print(
        f"[fault] {load.scenario}: e-mails and other webhooks {slowed:.2f}s (median) and "
        f"{slowed_p90:.2f}s (90th percentile) after their alert opened, baseline {usual:.2f}s "
        f"and {usual_p90:.2f}s: ratio {slowed / usual:.1f}; the slow host had at most "
        f"{most_in_flight} requests in flight (cap {PER_HOST_CAP})"
    )
    assert_nothing_lost(counts)
    assert most_in_flight <= PER_HOST_CAP, f"{most_in_flight} requests at once at the slow host"
    assert slowed <= MOST_SLOWDOWN * usual, (
        f"the others took {slowed / usual:.1f} times as long as in the baseline (median)"
    )
