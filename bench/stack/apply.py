"""Apply: `project.created` events applied per second by monitoring and by notifications.

The consuming services are stopped, N events are produced straight to Kafka (a replay after
an outage), then each service is started alone and watched: the rate is the growth of its
project table (counted by SQL) from the first applied row on, in one window per repetition.
The baseline reads the same records with raw aiokafka in a fresh consumer group and commits
each batch, as the services' consumer loop does, minus the applying.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

from aiokafka import TopicPartition
from pmo_common.events.catalog import PROJECT_CREATED
from pmo_monitoring.db.tables import monitored_projects
from pmo_notifications.db.tables import projects as notified_projects

from bench.project_events import project_created_records
from bench.stack.databases import connect
from bench.stack.infra import BenchStack
from bench.stack.kafka_tools import (
    consume_and_commit,
    end_offsets,
    produce,
    wait_until_drained,
)
from bench.stack.plan import Plan
from bench.stack.results import Results, median, ratio, ratio_text, spread
from bench.stack.rss import RssLog

# The services that consume project.created, each watched through its own projection table.
WATCHED = {"monitoring": monitored_projects.name, "notifications": notified_projects.name}
CONSUMERS = ("monitoring", "notifications", "standards")


@dataclass(frozen=True)
class Sample:
    at: float
    rows: int


async def _watch(stack: BenchStack, service: str, events: int, plan: Plan) -> list[Sample]:
    """Start the service and count its rows until the window after its first row has passed."""
    connection = await connect(stack.database_urls[service])
    count_sql = f"SELECT count(*) FROM {WATCHED[service]}"  # noqa: S608 (a table name of ours)
    try:
        before = int(await connection.fetchval(count_sql))
        process = stack.stack.services[service]
        await asyncio.to_thread(process.start)
        await asyncio.to_thread(process.wait_ready, 120)
        samples: list[Sample] = []
        first: float | None = None
        give_up = time.monotonic() + 60
        while True:
            rows = int(await connection.fetchval(count_sql)) - before
            now = time.monotonic()
            if rows > 0:
                samples.append(Sample(now, rows))
                first = first if first is not None else now
            if rows >= events or (first is not None and now - first >= plan.apply_seconds):
                return samples
            if first is None and now > give_up:
                return samples
            await asyncio.sleep(0.2)
    finally:
        await connection.close()


def window_rates(samples: list[Sample], windows: int) -> list[float | None]:
    """Rows per second in `windows` equal slices of the watched time."""
    if len(samples) < 2:
        return [None] * windows
    start, end = samples[0].at, samples[-1].at
    bounds = [start + (end - start) * k / windows for k in range(windows + 1)]
    at = [next(s for s in samples if s.at >= bound - 1e-9) for bound in bounds[:-1]]
    at.append(samples[-1])
    return [
        (later.rows - earlier.rows) / (later.at - earlier.at) if later.at > earlier.at else None
        for earlier, later in itertools.pairwise(at)
    ]


async def measure_apply(
    stack: BenchStack, bootstrap: str, plan: Plan, results: Results, rss: RssLog
) -> None:
    """Replay N project.created into each consuming service, beside raw consume + commit."""
    await wait_until_drained(bootstrap, within=60)  # nothing else left for them to apply
    for service in CONSUMERS:
        await asyncio.to_thread(stack.stack.services[service].stop)
    starts: dict[TopicPartition, int] = await end_offsets(bootstrap, PROJECT_CREATED.type)
    produced_in = await produce(
        bootstrap, PROJECT_CREATED.type, project_created_records(plan.apply_events)
    )
    raw: list[float | None] = []
    for _repetition in range(plan.repetitions):
        raw.append(await consume_and_commit(bootstrap, starts, plan.apply_events, within=60))
    by_service: dict[str, list[float | None]] = {}
    for service in WATCHED:
        samples = await _watch(stack, service, plan.apply_events, plan)
        by_service[service] = window_rates(samples, plan.repetitions)
        rss.sample("after applying the replay", (service,))
        await asyncio.to_thread(stack.stack.services[service].stop)
    results.row(
        f"{plan.apply_events:,} project.created produced straight to Kafka",
        f"raw aiokafka produce: {plan.apply_events / produced_in:,.0f}/s",
        "-",
    )
    ratios: list[float | None] = []
    for service, rates in by_service.items():
        found = ratio(median(rates), median(raw))
        ratios.append(found)
        results.row(
            f"events applied per second by {service} (replay of project.created, {stack.name})",
            f"raw aiokafka consume + commit: {spread(raw, '/s')}",
            f"{spread(rates, '/s')}",
            ratio_text(found),
        )
        results.value(f"apply_per_s_{service}", median(rates), digits=1)
        results.value(f"apply_ratio_{service}", found)
    results.value("apply_raw_per_s", median(raw), digits=1)
    known = [found for found in ratios if found is not None]
    results.value("apply_ratio", min(known) if known else None)
