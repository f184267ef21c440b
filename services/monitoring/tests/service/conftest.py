"""Fixtures of monitoring's service tests: a migrated SQLite database, the app in process,
tokens, event delivery through the real applier, and a look into the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import messaging
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

# The fixtures' types; test modules import them under TYPE_CHECKING (`from conftest import ...`).
AuthHeader = Callable[..., dict[str, str]]
Deliver = Callable[..., Awaitable[Outcome]]
Outbox = Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]]
Factory = Callable[..., dict[str, Any]]
KnownProject = Callable[..., Awaitable[dict[str, Any]]]
FileReport = Callable[..., Awaitable[Any]]
ReadJson = Callable[..., Awaitable[Any]]
CloseProject = Callable[[dict[str, Any]], Awaitable[Outcome]]

TODAY = datetime.now(UTC).date()
MANAGER = "ada@example.com"


def days(offset: int) -> date:
    """A date `offset` days from today (UTC)."""
    return TODAY + timedelta(days=offset)


@pytest.fixture
def monitoring_settings(tmp_path: Path) -> MonitoringSettings:
    """Settings pointing at a fresh, migrated SQLite file, Kafka off.

    The overdue job is off: the tests run the check themselves, so a background pass cannot
    slip events into the outbox they inspect.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'monitoring.db'}"
    migrate(url)
    return MonitoringSettings(
        database_url=url, kafka_enabled=False, data_dir=tmp_path, overdue_check_seconds=0
    )


@pytest.fixture
async def monitoring_app(monitoring_settings: MonitoringSettings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running."""
    app = create_app(monitoring_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(monitoring_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process."""
    transport = httpx.ASGITransport(app=monitoring_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
        yield http


@pytest.fixture
def auth_header() -> AuthHeader:
    """Build an Authorization header for a role and e-mail."""

    def build(role: str = "pmo_admin", email: str = "pmo@example.com") -> dict[str, str]:
        token = mint_dev_token(secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=[role])
        return {"Authorization": f"Bearer {token}"}

    return build


@pytest.fixture
def deliver(monitoring_app: FastAPI) -> Deliver:
    """Apply a consumed event through the service's real applier (one transaction, dedup)."""

    async def apply(
        event_type: str, data: dict[str, Any], *, event_id: str | None = None
    ) -> Outcome:
        event = CloudEvent(
            id=event_id or str(uuid.uuid4()),
            source="/pmo/test",
            type=event_type,
            subject=data.get("project_id"),
            data=data,
        )
        outcome: Outcome
        outcome, _failure = await monitoring_app.state.runtime.applier.apply(event)
        return outcome

    return apply


@pytest.fixture
def outbox(monitoring_settings: MonitoringSettings) -> Outbox:
    """Read the outbox: (topic, CloudEvent as a dict) in the order written."""

    async def read() -> list[tuple[str, dict[str, Any]]]:
        engine = create_async_engine(monitoring_settings.database_url)
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

    return read


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


@pytest.fixture
def project_data() -> Callable[..., dict[str, Any]]:
    """Build a project.created payload (overrides as keyword arguments)."""
    return _project_data


@pytest.fixture
def report_body() -> Callable[..., dict[str, Any]]:
    """Build a status report body (overrides as keyword arguments)."""
    return _report_body


@pytest.fixture
def known_project(deliver: Deliver) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Tell monitoring about a project (project.created) and return its payload."""

    async def create(**overrides: Any) -> dict[str, Any]:
        data = _project_data(**overrides)
        assert await deliver("project.created", data) == Outcome.APPLIED
        return data

    return create


@pytest.fixture
def file_report(client: httpx.AsyncClient, auth_header: AuthHeader) -> FileReport:
    """POST a status report (as a PMO admin unless `headers` say otherwise); 201 expected.

    Returns the filed report with its `health`.
    """

    async def post(
        project_id: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        response = await client.post(
            f"/v1/projects/{project_id}/status-reports",
            json=body,
            headers=headers if headers is not None else auth_header(),
        )
        assert response.status_code == 201, response.text
        return response.json()

    return post


@pytest.fixture
def read_health(client: httpx.AsyncClient, auth_header: AuthHeader) -> ReadJson:
    """GET a project's health (as a PMO admin unless `headers` say otherwise); 200 expected."""

    async def get(project_id: str, headers: dict[str, str] | None = None) -> Any:
        response = await client.get(
            f"/v1/projects/{project_id}/health",
            headers=headers if headers is not None else auth_header(),
        )
        assert response.status_code == 200, response.text
        return response.json()

    return get


@pytest.fixture
def close_project(deliver: Deliver) -> CloseProject:
    """Deliver project.closed (version 2, closed now) for a project.created payload."""

    async def close(project: dict[str, Any]) -> Outcome:
        closed = {
            "project_id": project["project_id"],
            "name": project["name"],
            "closed_at": datetime.now(UTC).isoformat(),
            "version": 2,
        }
        return await deliver("project.closed", closed)

    return close
