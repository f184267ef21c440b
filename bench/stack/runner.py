"""The order of a run: each stack in turn, its stages within the time budget, its memory."""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from bench.stack.alerts import measure_alerts
from bench.stack.apply import measure_apply
from bench.stack.bare_server import BareServer
from bench.stack.infra import Backend, BenchStack, Infrastructure, start_stack
from bench.stack.ingest import measure_ingest
from bench.stack.kafka_tools import move_groups_to_end
from bench.stack.plan import Budget, Plan
from bench.stack.results import Results
from bench.stack.rollup import measure_rollup, size_label
from bench.stack.rss import RssLog


def progress(message: str) -> None:
    """A line on stderr, so stdout holds only the table and the JSON."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def ingest_keys(backend: Backend, plan: Plan) -> list[str]:
    """The ingest ratios of a backend."""
    return [f"ingest_ratio_{backend}_c{c}" for c in plan.ingest_concurrency]


def alert_keys(backend: Backend, plan: Plan) -> list[str]:
    """The alert p99s of a backend."""
    return [f"alert_p99_s_{backend}_{rate}rps" for rate in plan.alert_rates]


def stage_seconds(plan: Plan) -> dict[str, float]:
    """Roughly how long each stage takes, to decide whether it still fits the budget."""
    return {
        "ingest": plan.repetitions * len(plan.ingest_concurrency) * 2 * plan.ingest_seconds + 15,
        "alerts": plan.alert_allowance_seconds + 40,
        "rollup": sum(plan.rollup_allowance_seconds.values()) + 60,
        "apply": 2 * (plan.apply_seconds + 15) + 10,
    }


@dataclass
class Runner:
    """Runs stages in order within the budget; a stage that fails or does not fit is null."""

    plan: Plan
    results: Results
    infra: Infrastructure
    bare: BareServer
    client: httpx.AsyncClient
    budget: Budget
    sqlite_alerts: bool = False

    async def stage(
        self, name: str, keys: Sequence[str], run: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run a stage (named `<kind> on <backend>`); whether it ran, even if it failed."""
        needs = stage_seconds(self.plan)[name.split()[0]]
        if not self.budget.allows(needs):
            progress(f"{name}: skipped, it needs about {needs:.0f} s more than the budget has")
            self.results.missing(keys, f"skipped: {name} did not fit the run's time budget")
            return False
        progress(f"{name} (at {self.budget.elapsed:.0f} s)")
        started = time.monotonic()
        try:
            await run()
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self.results.missing(keys, f"{name} failed: {exc!r}"[:400])
        progress(f"{name}: {time.monotonic() - started:.0f} s")
        return True

    async def backend(self, backend: Backend) -> None:
        """Start one stack, run its stages, record its memory and stop it."""
        if not self.budget.allows(
            self.plan.stack_start_seconds + stage_seconds(self.plan)["ingest"]
        ):
            progress(f"{backend}: skipped, not even its ingest stage fits the budget")
            reason = f"skipped: the stack on {backend} did not fit the run's time budget"
            self.results.missing(
                [*ingest_keys(backend, self.plan), *alert_keys(backend, self.plan)], reason
            )
            return
        progress(f"starting the four services on {backend} (at {self.budget.elapsed:.0f} s)")
        stack = await start_stack(self.infra, backend)
        rss = RssLog(stack)
        try:
            rss.sample("idle")
            await self.stage(
                f"ingest on {backend}",
                ingest_keys(backend, self.plan),
                lambda: measure_ingest(
                    self.client, stack, self.bare, self.infra.bootstrap, self.plan, self.results
                ),
            )
            await self._alerts(stack)
            rss.sample("after ingest and alerts")
            if backend == "pg":
                await self._postgres_only(stack, rss)
            rss.record(self.results)
        finally:
            await asyncio.to_thread(stack.stack.stop)
            # The next stack reuses the broker and the consumer group names.
            try:
                await move_groups_to_end(self.infra.bootstrap)
            except Exception:
                progress("the consumer groups could not be moved on; the next stack may lag")
                traceback.print_exc(file=sys.stderr)

    async def _alerts(self, stack: BenchStack) -> None:
        keys = alert_keys(stack.backend, self.plan)
        if stack.backend == "sqlite" and not self.sqlite_alerts:
            reason = "not run: alert latency on SQLite does not fit ten minutes (--sqlite-alerts)"
            self.results.missing(keys, reason)
            return

        async def alerts() -> None:
            rate = await measure_alerts(self.client, stack, self.infra, self.plan, self.results)
            shown = "null" if rate is None else f"{rate:,.0f} projects/s"
            self.results.row(f"intake create -> event on Kafka ({stack.name})", "-", shown)
            self.results.value(f"intake_create_to_event_per_s_{stack.backend}", rate, digits=1)

        await self.stage(f"alerts on {stack.backend}", keys, alerts)

    async def _postgres_only(self, stack: BenchStack, rss: RssLog) -> None:
        sizes = [f"rollup_p95_s_{size_label(size)}" for size in self.plan.rollup_sizes]
        if await self.stage(
            "rollup on pg",
            sizes,
            lambda: measure_rollup(self.client, stack, self.plan, self.results),
        ):
            rss.sample("after the roll-ups")
        await self.stage(
            "apply on pg",
            ["apply_ratio"],
            lambda: measure_apply(stack, self.infra.bootstrap, self.plan, self.results, rss),
        )
