"""`python -m bench.stack [--quick] [--backends pg,sqlite] [--sqlite-alerts]`.

Starts Kafka, PostgreSQL, an SMTP sink, a webhook receiver and the bare baseline app, then the
four services on PostgreSQL (ingest, alert latency, roll-up, apply, memory) and on SQLite
(ingest, memory), one stack after the other. Prints progress on stderr, then the table and,
last, one line of JSON on stdout. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

import httpx

from bench.stack.bare_server import bare_server
from bench.stack.infra import Backend, infrastructure
from bench.stack.plan import FULL, QUICK, Budget, Plan
from bench.stack.results import Results
from bench.stack.runner import Runner, alert_keys, ingest_keys, progress

# The keys the issue asks for; each is in the JSON line, null with a reason if not measured.
REQUIRED_KEYS = (
    "ingest_ratio_pg_c16",
    "ingest_ratio_pg_c64",
    "alert_p99_s_pg_10rps",
    "alert_p99_s_pg_50rps",
    "rtt_p99_s",
    "apply_ratio",
    "rollup_p95_s_10k",
    "rollup_p95_s_100k",
    "rss_mb_max",
)


def summarise(results: Results, plan: Plan) -> None:
    """The headline values derived from the others; a reason for each required key missing."""
    rtts = [results.values.get(f"rtt_p99_s_{rate}rps") for rate in plan.alert_rates]
    known_rtts = [value for value in rtts if value is not None]
    results.value("rtt_p99_s", max(known_rtts) if known_rtts else None)
    if "intake_create_to_event_per_s_pg" in results.values:
        results.value(
            "intake_create_to_event_per_s", results.values["intake_create_to_event_per_s_pg"]
        )
    rss = [
        value
        for key, value in results.values.items()
        if key.startswith("rss_mb_") and key.endswith("_max") and value is not None
    ]
    results.value("rss_mb_max", max(rss) if rss else None, digits=1)
    for key in REQUIRED_KEYS:
        if key not in results.values:
            results.missing([key], "not measured: this plan's stages or sizes leave it out")


async def run(plan: Plan, backends: Sequence[Backend], *, sqlite_alerts: bool) -> Results:
    """Every stage on every backend; the results."""
    results = Results()
    budget = Budget(plan.budget_seconds)
    progress("Kafka, PostgreSQL, SMTP sink, webhook receiver, bare app")
    with infrastructure() as infra, bare_server(infra.work_dir) as bare:
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            runner = Runner(plan, results, infra, bare, client, budget, sqlite_alerts)
            for backend in backends:
                await runner.backend(backend)
    for left_out in ("pg", "sqlite"):
        if left_out not in backends:
            reason = "not run: --backends left it out"
            results.missing([*ingest_keys(left_out, plan), *alert_keys(left_out, plan)], reason)
    summarise(results, plan)
    results.value("wall_s", budget.elapsed, digits=0)
    results.value("repetitions", plan.repetitions)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, run, print the table and the JSON line."""
    parser = argparse.ArgumentParser(prog="bench.stack", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a ~2-minute smoke: one repetition, smaller sizes"
    )
    parser.add_argument(
        "--backends",
        default=None,
        help="comma-separated, from pg,sqlite (default: both; pg alone with --quick)",
    )
    parser.add_argument(
        "--sqlite-alerts",
        action="store_true",
        help="measure alert latency on SQLite too (about two minutes more)",
    )
    options = parser.parse_args(argv)
    plan = QUICK if options.quick else FULL
    chosen = options.backends or ("pg" if options.quick else "pg,sqlite")
    backends: list[Backend] = []
    for name in chosen.split(","):
        if name not in ("pg", "sqlite"):
            parser.error(f"unknown backend {name!r}: use pg, sqlite or both")
        backends.append("pg" if name == "pg" else "sqlite")
    results = asyncio.run(run(plan, backends, sqlite_alerts=options.sqlite_alerts))
    print()
    print(results.table())
    print(results.json_line(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
