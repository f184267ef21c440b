"""Fixtures of monitoring's service tests: a migrated SQLite database, the app in process,
and `monitoring`, the one fixture that drives it (events in, HTTP calls, the outbox out)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import messaging
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit.in_process import asgi_client, running, sqlite_settings
from pmo_stack.testkit.tokens import dev_auth_header
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

TODAY = datetime.now(UTC).date()
MANAGER = "ada@example.com"
BASE_URL = "http://monitoring"


def days(offset: int) -> date:
    """A date `offset` days from today (UTC)."""
    return TODAY + timedelta(days=offset)


@pytest.fixture
def monitoring_settings(tmp_path: Path) -> MonitoringSettings:
    """Settings pointing at a fresh, migrated SQLite file, Kafka off.

    The overdue job is off: the tests run the check themselves, so a background pass cannot
    slip events into the outbox they inspect.
    """
    return sqlite_settings(MonitoringSettings, migrate, tmp_path, overdue_check_seconds=0)


def _project_data(project_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A project.created payload: 200 days long, half elapsed today, budget 100 000 EUR."""
    data: dict[str, Any] = {
        "project_id": project_id or str(uuid.uuid4()),
        "name": "Apollo",
        "manager": MANAGER,
        "sponsor": "grace@example.com",
        "methodology": "waterfall",
        "start_date": days(-100).isoformat(),
        "end_date": days(100).isoformat(),
        "budget": 100000.0,
        "currency": "EUR",
        "milestones": [{"name": "Design signed off", "due_date": days(30).isoformat()}],
        "portfolio_id": None,
        "program_id": None,
        "status": "active",
        "version": 1,
    }
    data.update(overrides)
    return data


def _report_body(**overrides: Any) -> dict[str, Any]:
    """A healthy report as of today: half done, half the budget spent (CPI = SPI = 1)."""
    body: dict[str, Any] = {
        "as_of": TODAY.isoformat(),
        "percent_complete": 50,
        "actual_cost": 50000,
        "milestones": [{"name": "Design signed off", "status": "in_progress"}],
        "risks": [{"title": "Supplier late", "probability": 0.3, "impact": 4}],
        "manager_rag": "green",
        "summary": "On track.",
    }
    body.update(overrides)
    return body


def corrected(body: dict[str, Any], note: str = "Figures re-measured after an audit.") -> Any:
    """`body` filed as a correction: how a report may go back on figures or history."""
    return {**body, "correction": True, "correction_note": note}


@dataclass(frozen=True)
class Monitoring:
    """The service in process, driven the way its producers and callers drive it: events in
    through the real applier, HTTP calls through `client`, events out read from the outbox.

    One fixture instead of one per action, so a test names what it tests, not its plumbing.
    """

    app: FastAPI
    client: httpx.AsyncClient
    database_url: str

    # Builders of a project.created payload and a status report body (overrides as keywords).
    project_data = staticmethod(_project_data)
    report_body = staticmethod(_report_body)
    # An Authorization header for a role and e-mail.
    auth_header = staticmethod(dev_auth_header)

    async def deliver(
        self, event_type: str, data: dict[str, Any], *, event_id: str | None = None
    ) -> Outcome:
        """Apply a consumed event through the service's real applier (one transaction, dedup)."""
        event = CloudEvent(
            id=event_id or str(uuid.uuid4()),
            source="/pmo/test",
            type=event_type,
            subject=data.get("project_id"),
            data=data,
        )
        outcome: Outcome
        outcome, _failure = await self.app.state.runtime.applier.apply(event)
        return outcome

    async def apply(self, event: CloudEvent) -> Outcome:
        """Apply an event built whole (e.g. pmo_stack.testkit.portfolio_membership's)."""
        outcome: Outcome
        outcome, _failure = await self.app.state.runtime.applier.apply(event)
        return outcome

    async def outbox(self) -> list[tuple[str, dict[str, Any]]]:
        """The outbox: (topic, CloudEvent as a dict) in the order written."""
        engine = create_async_engine(self.database_url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(messaging.outbox.c.topic, messaging.outbox.c.payload).order_by(
                        messaging.outbox.c.id
                    )
                )
            ).all()
        await engine.dispose()
        return [(row.topic, json.loads(row.payload)) for row in rows]

    async def topics(self) -> list[str]:
        """The topics of the outbox's events, in the order written."""
        return [topic for topic, _ in await self.outbox()]

    async def known_project(self, **overrides: Any) -> dict[str, Any]:
        """Tell monitoring about a project (project.created) and return its payload."""
        data = _project_data(**overrides)
        assert await self.deliver("project.created", data) == Outcome.APPLIED
        return data

    async def close_project(self, project: dict[str, Any]) -> Outcome:
        """Deliver project.closed (version 2, closed now) for a project.created payload."""
        closed = {
            "project_id": project["project_id"],
            "name": project["name"],
            "closed_at": datetime.now(UTC).isoformat(),
            "version": 2,
        }
        return await self.deliver("project.closed", closed)

    async def file_report(
        self, project_id: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        """POST a status report (as a PMO admin unless `headers` say otherwise); 201 expected.

        Returns the filed report with its `health`.
        """
        response = await self.client.post(
            f"/v1/projects/{project_id}/status-reports",
            json=body,
            headers=headers if headers is not None else self.auth_header(),
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def read_health(self, project_id: str, headers: dict[str, str] | None = None) -> Any:
        """GET a project's health (as a PMO admin unless `headers` say otherwise); 200 expected."""
        response = await self.client.get(
            f"/v1/projects/{project_id}/health",
            headers=headers if headers is not None else self.auth_header(),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def read_portfolio_health(
        self, headers: dict[str, str] | None = None, **params: Any
    ) -> Any:
        """GET the portfolio roll-up with query `params` (as a PMO admin unless `headers` say
        otherwise); 200 expected."""
        response = await self.client.get(
            "/v1/portfolio/health",
            params=params,
            headers=headers if headers is not None else self.auth_header(),
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def monitoring(monitoring_settings: MonitoringSettings) -> AsyncIterator[Monitoring]:
    """The service in process, its lifespan running for the test, and the ways a test drives
    it (see `Monitoring`)."""
    app = create_app(monitoring_settings)
    async with running(app), asgi_client(app, BASE_URL) as client:
        yield Monitoring(app, client, monitoring_settings.database_url)


@pytest.fixture
async def lenient_client(monitoring: Monitoring) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees a crash as the 500 a caller gets, not as an exception in the test."""
    async with asgi_client(monitoring.app, BASE_URL, raise_app_exceptions=False) as http:
        yield http
