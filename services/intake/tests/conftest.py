"""Fixtures of intake's unit tests: a migrated SQLite database and an in-process app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_intake.config import IntakeSettings
from pmo_intake.db.tables import messaging
from pmo_intake.main import create_app
from pmo_intake.migrate import migrate
from pmo_stack.testkit.in_process import running_client, sqlite_settings
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AuthHeader = Callable[..., dict[str, str]]
BodyBuilder = Callable[..., dict[str, Any]]
OutboxEvents = Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]]


@pytest.fixture
def intake_settings(tmp_path: Path) -> IntakeSettings:
    """Settings pointing at a fresh, migrated SQLite file, Kafka off."""
    return sqlite_settings(IntakeSettings, migrate, tmp_path)


@pytest.fixture
async def intake_client(intake_settings: IntakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process, lifespan included."""
    async with running_client(create_app(intake_settings), "http://intake") as client:
        yield client


@pytest.fixture
async def intake_sessions(
    intake_settings: IntakeSettings,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database, for what the tests read or apply outside the app."""
    engine = create_database_engine(intake_settings.database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def auth_header() -> AuthHeader:
    """Build an Authorization header for a role and e-mail."""

    def build(role: str = "pmo_admin", email: str = "pmo@example.com") -> dict[str, str]:
        token = mint_dev_token(secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=[role])
        return {"Authorization": f"Bearer {token}"}

    return build


def _project(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Apollo",
        "manager": "ada@example.com",
        "sponsor": "grace@example.com",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "budget": 100000,
        "milestones": [{"name": "Design signed off", "due_date": "2026-03-31"}],
        **overrides,
    }


@pytest.fixture
def project_body() -> BodyBuilder:
    """A valid body of `POST /v1/projects`, with fields overridden by keyword."""
    return _project


@pytest.fixture
def request_body() -> BodyBuilder:
    """A valid body of `POST /v1/requests`, with fields overridden by keyword."""

    def build(**overrides: Any) -> dict[str, Any]:
        proposal = _project(
            name="CRM replacement",
            start_date="2027-01-01",
            end_date="2027-06-30",
            budget=250000,
            milestones=[{"name": "Vendor chosen", "due_date": "2027-02-15"}],
        )
        return {
            "title": "New CRM",
            "business_case": "Sales cannot see customer history.",
            "project": proposal,
            **overrides,
        }

    return build


@pytest.fixture
def new_project(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Register a project as a PMO admin (fields overridden by keyword); its JSON."""

    async def create(**overrides: Any) -> dict[str, Any]:
        body = _project(**overrides)
        response = await intake_client.post("/v1/projects", json=body, headers=auth_header())
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return create


@pytest.fixture
def outbox_events(intake_sessions: async_sessionmaker[AsyncSession]) -> OutboxEvents:
    """Read the outbox: (topic, CloudEvent as JSON) of every stored event, oldest first."""
    outbox = messaging.outbox

    async def read() -> list[tuple[str, dict[str, Any]]]:
        async with intake_sessions() as session:
            query = select(outbox.c.topic, outbox.c.payload).order_by(outbox.c.id)
            rows = (await session.execute(query)).all()
        return [(row.topic, json.loads(row.payload)) for row in rows]

    return read
