"""Alert latency: a status report that turns a project red, to its signed webhook at a receiver.

Reports are sent open loop at a fixed rate (10 and 50 per second), each for a fresh project
halfway through its plan (CPI 0.6: red), so each yields one `project.at_risk` and one webhook
to a subscription for every at-risk event. Latency runs from just before the POST to the
webhook's arrival at the loopback receiver (one clock: both live in this process). Webhooks
still missing when the drain deadline passes count as slower than any that arrived.

The baseline is raw aiokafka on the same broker, produce to consume, at the same rates.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from pmo_common.events.catalog import PROJECT_AT_RISK
from pmo_stack.testkit.project_data import halfway_project_body, subscription_body
from pmo_stack.webhook_receiver import WebhookReceiver

from bench.stack.infra import BenchStack, Infrastructure
from bench.stack.kafka_tools import produce_consume_latencies, rtt_topic, wait_until_drained
from bench.stack.plan import Plan, repetitions_note, repetitions_within
from bench.stack.projects import MANAGER, register_projects, wait_until_monitored
from bench.stack.results import Results, median, milliseconds, percentile, ratio, spread


def red_report() -> dict[str, Any]:
    """30% done for 50,000 spent of a 100,000 budget halfway through: CPI 0.6, red."""
    return {
        "as_of": datetime.now(UTC).date().isoformat(),
        "percent_complete": 30,
        "actual_cost": 50000,
        "summary": "Over budget",
    }


@dataclass
class AlertRun:
    """Latencies of the webhooks that arrived; reports whose webhook did not, or was refused."""

    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    refused: int = 0
    first_refusal: str = ""
    delivered_per_s: float | None = None  # webhooks over the time from first POST to last one

    def p(self, q: float) -> float | None:
        """The q-th percentile, counting each missing webhook as slower than every arrival;
        None when the percentile falls among the missing ones."""
        values = self.latencies + [math.inf] * (self.missing + self.refused)
        found = percentile(values, q)
        return None if found is None or math.isinf(found) else found


class ArrivalIndex:
    """When the first at-risk webhook of each project arrived at the receiver."""

    def __init__(self, receiver: WebhookReceiver) -> None:
        self._receiver = receiver
        self._read = 0
        self.arrived: dict[str, float] = {}

    def refresh(self) -> None:
        requests = self._receiver.requests
        for request in requests[self._read :]:
            event = json.loads(request.body or b"{}")
            if event.get("type") == PROJECT_AT_RISK.type:
                self.arrived.setdefault(str(event.get("subject")), request.received_monotonic)
        self._read = len(requests)


async def alert_run(
    client: httpx.AsyncClient,
    stack: BenchStack,
    arrivals: ArrivalIndex,
    project_ids: Sequence[str],
    *,
    rate: float,
    drain_seconds: float,
) -> AlertRun:
    """Report each project red at `rate` per second; wait for their webhooks."""
    run = AlertRun()
    sent: dict[str, float] = {}
    headers = stack.admin_headers()

    async def report(project_id: str) -> None:
        sent[project_id] = time.monotonic()
        url = stack.url("monitoring", f"/v1/projects/{project_id}/status-reports")
        answer = await client.post(url, json=red_report(), headers=headers)
        if answer.status_code != 201:
            sent.pop(project_id)
            run.refused += 1
            run.first_refusal = run.first_refusal or f"{answer.status_code} {answer.text[:200]}"

    started = time.monotonic()
    posts = []
    for number, project_id in enumerate(project_ids):
        await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
        posts.append(asyncio.create_task(report(project_id)))
    await asyncio.gather(*posts)
    deadline = time.monotonic() + drain_seconds
    while True:
        arrivals.refresh()
        waiting = [pid for pid in sent if pid not in arrivals.arrived]
        if not waiting or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    run.missing = len(waiting)
    run.latencies = [arrivals.arrived[pid] - at for pid, at in sent.items() if pid not in waiting]
    landed = [arrivals.arrived[pid] for pid in sent if pid not in waiting]
    if landed and max(landed) > started:
        run.delivered_per_s = len(landed) / (max(landed) - started)
    return run


async def measure_alerts(
    client: httpx.AsyncClient,
    stack: BenchStack,
    infra: Infrastructure,
    plan: Plan,
    results: Results,
) -> float | None:
    """Measure and record alert latency on one stack; the intake create -> Kafka rate."""
    subscribed = await client.post(
        stack.url("notifications", "/v1/subscriptions"),
        json=subscription_body("webhook", f"{infra.webhooks.url}/bench-hook"),
        headers=stack.admin_headers(),
    )
    if subscribed.status_code != 201:
        raise RuntimeError(f"the webhook subscription was refused: {subscribed.text[:300]}")
    per_run = {rate: round(rate * plan.alert_seconds[rate]) for rate in plan.alert_rates}
    total = plan.repetitions * sum(per_run.values())
    bodies = [halfway_project_body(f"Alert {n}", MANAGER) for n in range(total)]
    registered = await register_projects(client, stack, infra.bootstrap, bodies)
    await wait_until_monitored(client, stack, registered.ids, within=120)
    fresh = iter(registered.ids)
    arrivals = ArrivalIndex(infra.webhooks)
    topic = await rtt_topic(infra.bootstrap)
    runs: dict[int, list[AlertRun]] = {rate: [] for rate in plan.alert_rates}
    rtts: dict[int, list[float | None]] = {rate: [] for rate in plan.alert_rates}
    for _repetition in repetitions_within(plan, plan.alert_allowance_seconds):
        for rate, count in per_run.items():
            # Each run, and its baseline first, on a quiet pipeline.
            await wait_until_drained(infra.bootstrap, within=plan.alert_drain_seconds)
            latencies = await produce_consume_latencies(
                infra.bootstrap, topic, rate=rate, seconds=plan.rtt_seconds
            )
            rtts[rate].append(percentile(latencies, 99))
            ids = [next(fresh) for _ in range(count)]
            runs[rate].append(
                await alert_run(
                    client,
                    stack,
                    arrivals,
                    ids,
                    rate=rate,
                    drain_seconds=plan.alert_drain_seconds,
                )
            )
    for rate in plan.alert_rates:
        _record(results, stack, rate, runs[rate], rtts[rate], plan)
    return registered.created_to_event_per_s


def _record(
    results: Results,
    stack: BenchStack,
    rate: int,
    runs: list[AlertRun],
    rtt_p99s: list[float | None],
    plan: Plan,
) -> None:
    key = f"{stack.backend}_{rate}rps"
    p50s = [run.p(50) for run in runs]
    p99s = [run.p(99) for run in runs]
    delivered = [run.delivered_per_s for run in runs]
    missing = sum(run.missing for run in runs)
    refused = sum(run.refused for run in runs)
    project = (
        f"p50 {spread(p50s, ' s', 2)}, p99 {spread(p99s, ' s', 2)}; "
        f"webhooks delivered {spread(delivered, '/s', 1)}"
    )
    if missing or refused:
        project += f"; {missing} webhooks missing after {plan.alert_drain_seconds:.0f} s"
        project += f", {refused} reports refused" if refused else ""
    project += repetitions_note(plan, len(runs))
    seconds = plan.alert_seconds[rate]
    results.row(
        f"report -> signed webhook, {rate} reports/s for {seconds:.0f} s ({stack.name})",
        f"raw aiokafka produce->consume p99 {spread(milliseconds(rtt_p99s), ' ms')}",
        project,
        _times(median(p99s), median(rtt_p99s)),
    )
    results.value(f"alert_p50_s_{key}", median(p50s))
    results.value(f"alert_p99_s_{key}", median(p99s))
    results.value(f"alert_missing_{key}", missing)
    results.value(f"alert_delivered_per_s_{key}", median(delivered), digits=1)
    rtt_key = f"{rate}rps" if stack.backend == "pg" else key
    results.value(f"rtt_p99_s_{rtt_key}", median(rtt_p99s))
    if median(p99s) is None:
        results.missing(
            [f"alert_p99_s_{key}"],
            f"over 1% of the webhooks had not arrived {plan.alert_drain_seconds:.0f} s after "
            "the last report",
        )


def _times(slow: float | None, fast: float | None) -> str:
    found = ratio(slow, fast)
    return "null" if found is None else f"{found:,.0f}x"
