"""What one status report and one at-risk event cost: SQL statements, and the report POST rate.

Three measurements, each on a fresh SQLite database (the embedded default) in a temporary
folder, with the services built in process from their own `create_app`:

1. SQL statements per status-report POST in monitoring (with an Idempotency-Key, for a project
   that already has earlier reports): counted with a `before_cursor_execute` listener.
2. SQL statements per `project.at_risk` applied by notifications' consumer (the first alert of
   the project, one matching webhook subscription).
3. Status-report POSTs per second through monitoring, beside a bare FastAPI route that takes and
   validates the same body and does nothing else, in the same run: the ratio is the figure.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.events.catalog import PROJECT_AT_RISK, PROJECT_CREATED
from pmo_common.events.envelope import build_event
from pmo_common.events.payloads import HealthMetrics, ProjectAtRisk, ProjectCreated, Reason
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_common.web.runtime import ServiceRuntime
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.main import create_app as create_monitoring_app
from pmo_monitoring.migrate import migrate as migrate_monitoring
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.main import create_app as create_notifications_app
from pmo_notifications.migrate import migrate as migrate_notifications
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.bare_route import bare_report_app

DEFAULT_REPORTS = 300
# Reference figures of the code before the one-anatomy change (issue 6), measured with this
# same counter on that commit; printed beside today's figures so the change stays visible.
BEFORE_STATEMENTS_PER_POST = 22
BEFORE_STATEMENTS_PER_AT_RISK = 13
MAX_REPORTS = 800
# Reports are filed one day apart from START, and none may be dated in the future: the project
# starts far enough back for the largest run, and its plan runs well past today.
START = date.today() - timedelta(days=MAX_REPORTS + 200)
MANAGER = "ada@example.com"


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine runs while `counting` is on."""

    counting: bool = False
    statements: list[str] = field(default_factory=list)

    def attach(self, engine: AsyncEngine) -> None:
        sa_event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        if self.counting:
            self.statements.append(str(args[2]))

    @asynccontextmanager
    async def window(self) -> AsyncIterator[list[str]]:
        """Statements run inside the block."""
        self.statements = []
        self.counting = True
        try:
            yield self.statements
        finally:
            self.counting = False


def _token(roles: Sequence[str], email: str = MANAGER) -> str:
    return mint_dev_token(secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=roles)


def _project(project_id: str) -> ProjectCreated:
    return ProjectCreated(
        project_id=project_id,
        name="Benchmark project",
        manager=MANAGER,
        sponsor="sponsor@example.com",
        methodology="waterfall",
        start_date=START,
        end_date=START + timedelta(days=2 * (MAX_REPORTS + 200)),
        budget=1_000_000.0,
        currency="EUR",
        milestones=[],
        portfolio_id=None,
        status="active",
        version=1,
    )


def _report(day: int) -> dict[str, Any]:
    return {
        "as_of": (START + timedelta(days=day)).isoformat(),
        "percent_complete": min(100.0, day * 0.12),
        "actual_cost": day * 1_300.0,
        "risks": [{"title": "Supplier late", "probability": 0.3, "impact": 3}],
        "manager_rag": "green",
        "summary": "On track",
    }


async def _apply(applier: EventApplier | None, outcome_of: Any) -> None:
    assert applier is not None, "the service consumes events, so it has an applier"
    outcome, failure = await applier.apply(outcome_of)
    if outcome is not Outcome.APPLIED:
        raise RuntimeError(f"the seed event was not applied: {outcome} {failure}")


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):
        yield app.state.runtime, client


async def _post_reports(
    client: httpx.AsyncClient, project_id: str, days: Sequence[int]
) -> list[float]:
    headers = {"Authorization": f"Bearer {_token(['project_manager'])}"}
    durations = []
    for day in days:
        started = time.perf_counter()
        response = await client.post(
            f"/v1/projects/{project_id}/status-reports",
            json=_report(day),
            headers={**headers, "Idempotency-Key": f"report-{day}"},
        )
        durations.append(time.perf_counter() - started)
        if response.status_code != 201:
            raise RuntimeError(f"report POST answered {response.status_code}: {response.text}")
    return durations


async def monitoring_costs(folder: Path, reports: int) -> tuple[list[int], int, float]:
    """Statements per report POST (after the first three), reads of status_reports, POSTs/s."""
    url = f"sqlite+aiosqlite:///{folder / 'monitoring.db'}"
    await asyncio.to_thread(migrate_monitoring, url)
    settings = MonitoringSettings(
        database_url=url,
        kafka_enabled=False,
        overdue_check_seconds=0,
        data_dir=folder,
        log_level="WARNING",
    )
    counter = StatementCounter()
    async with _serving(create_monitoring_app(settings)) as (runtime, client):
        counter.attach(runtime.engine)
        project_id = str(uuid.uuid4())
        created = build_event(
            service="intake",
            event_type=PROJECT_CREATED.type,
            data=_project(project_id),
            subject=project_id,
        )
        await _apply(runtime.applier, created)
        await _post_reports(client, project_id, [7, 14, 21])
        per_post: list[int] = []
        status_report_reads = 0
        for day in range(28, 28 + 7 * 10, 7):
            async with counter.window() as statements:
                await _post_reports(client, project_id, [day])
            per_post.append(len(statements))
            status_report_reads = sum(
                1
                for s in statements
                if s.lstrip().upper().startswith("SELECT") and "status_reports" in s
            )
        timed_days = range(100, 100 + reports)
        durations = await _post_reports(client, project_id, list(timed_days))
    return per_post, status_report_reads, reports / sum(durations)


async def bare_route_rate(reports: int) -> float:
    """POSTs per second to a FastAPI route that validates the same body and returns it."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bare_report_app()), base_url="http://bench"
    ) as client:
        durations = await _post_reports(client, "p-1", list(range(100, 100 + reports)))
    return reports / sum(durations)


async def notifications_costs(folder: Path) -> list[int]:
    """Statements per project.at_risk applied (first alert of a project, one subscription)."""
    url = f"sqlite+aiosqlite:///{folder / 'notifications.db'}"
    await asyncio.to_thread(migrate_notifications, url)
    settings = NotificationsSettings(
        database_url=url,
        kafka_enabled=False,
        webhook_allow_private=True,
        delivery_poll_interval_seconds=3600,
        data_dir=folder,
        log_level="WARNING",
    )
    app = create_notifications_app(settings)
    async with _serving(app) as (_, client):
        response = await client.post(
            "/v1/subscriptions",
            json={
                "channel": "webhook",
                "target": "http://127.0.0.1:9/hook",
                "event_types": ["project.at_risk"],
            },
            headers={"Authorization": f"Bearer {_token(['pmo_admin'], 'pmo@example.com')}"},
        )
        if response.status_code != 201:
            raise RuntimeError(f"subscription POST answered {response.status_code}")
    # Consume without the service's background jobs, so only the consumer's statements count.
    counter = StatementCounter()
    async with _serving(create_notifications_app(settings)) as (runtime, _):
        runtime.stop.set()  # background delivery stands down; the applier works without it
        await asyncio.gather(*runtime.tasks, return_exceptions=True)
        counter.attach(runtime.engine)
        per_event: list[int] = []
        for _round in range(10):
            project_id = str(uuid.uuid4())
            await _apply(runtime.applier, _project_event(project_id))
            async with counter.window() as statements:
                await _apply(runtime.applier, _at_risk_event(project_id))
            per_event.append(len(statements))
    return per_event


def _project_event(project_id: str) -> Any:
    return build_event(
        service="intake",
        event_type=PROJECT_CREATED.type,
        data=_project(project_id),
        subject=project_id,
    )


def _at_risk_event(project_id: str) -> Any:
    payload = ProjectAtRisk(
        project_id=project_id,
        project_name="Benchmark project",
        manager=MANAGER,
        sponsor="sponsor@example.com",
        rag="red",
        severity="critical",
        reasons=[
            Reason(code="cpi_below_threshold", message="Over budget", metric="cpi", value=0.8)
        ],
        metrics=HealthMetrics(cpi=0.8, spi=0.97),
        as_of=START + timedelta(days=60),
    )
    return build_event(
        service="monitoring", event_type=PROJECT_AT_RISK.type, data=payload, subject=project_id
    )


async def run(reports: int) -> None:
    """Measure and print."""
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as tmp:
        folder = Path(tmp)
        per_post, reads, service_rate = await monitoring_costs(folder, reports)
        bare_rate = await bare_route_rate(reports)
        per_event = await notifications_costs(folder)
    rows = [
        ("SQL statements per status-report POST (median; goal <= 10)", statistics.median(per_post)),
        ("  before issue 6 (measured at commit e5d9b74)", BEFORE_STATEMENTS_PER_POST),
        ("  of which SELECTs reading status_reports", reads),
        (
            "SQL statements per project.at_risk in notifications (goal <= 8)",
            statistics.median(per_event),
        ),
        ("  before issue 6 (measured at commit e5d9b74)", BEFORE_STATEMENTS_PER_AT_RISK),
        ("bare FastAPI route, same body: POSTs/s (baseline)", round(bare_rate)),
        ("monitoring status-report POSTs/s", round(service_rate)),
        ("ratio monitoring / bare route", round(service_rate / bare_rate, 3)),
    ]
    print("\nreport_path_costs (SQLite, in process)")
    print(f"{'measure':<66} {'figure':>10}")
    for label, figure in rows:
        print(f"{label:<66} {figure:>10g}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point; accepts (and ignores) the other benchmarks' options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--reports",
        type=int,
        default=DEFAULT_REPORTS,
        choices=range(1, MAX_REPORTS + 1),
        metavar=f"1..{MAX_REPORTS}",
    )
    options, _ = parser.parse_known_args(argv)
    asyncio.run(run(options.reports))


if __name__ == "__main__":
    main()
