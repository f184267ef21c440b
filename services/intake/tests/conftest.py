"""Fixtures of intake's unit tests: a migrated SQLite database, and `intake`, the app in
process with the one fixture that drives it (HTTP calls, the outbox read back)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_intake.config import IntakeSettings
from pmo_intake.db.tables import messaging
from pmo_intake.main import create_app
from pmo_intake.migrate import migrate
from pmo_stack.testkit.in_process import running_client, sqlite_settings
from pmo_stack.testkit.tokens import dev_auth_header
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@pytest.fixture
def intake_settings(tmp_path: Path) -> IntakeSettings:
    """Settings pointing at a fresh, migrated SQLite file, Kafka off."""
    return sqlite_settings(IntakeSettings, migrate, tmp_path)


@pytest.fixture
async def intake_sessions(
    intake_settings: IntakeSettings,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database, for what the tests read or apply outside the app."""
    engine = create_database_engine(intake_settings.database_url)
    yield create_session_factory(engine)
    await engine.dispose()


def _project(**overrides: Any) -> dict[str, Any]:
    """A valid body of `POST /v1/projects`, with fields overridden by keyword."""
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


def _request(**overrides: Any) -> dict[str, Any]:
    """A valid body of `POST /v1/requests`, with fields overridden by keyword."""
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


@dataclass(frozen=True)
class Intake:
    """The service in process, driven the way its callers drive it: HTTP calls through
    `client`, the events it publishes read back from its outbox.

    One fixture instead of one per action, so a test names what it tests, not its plumbing.
    """

    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]

    # Valid bodies of `POST /v1/projects` and `POST /v1/requests` (overrides as keywords), and
    # an Authorization header for a role and e-mail.
    project_body = staticmethod(_project)
    request_body = staticmethod(_request)
    auth_header = staticmethod(dev_auth_header)

    async def new_project(self, **overrides: Any) -> dict[str, Any]:
        """Register a project as a PMO admin (fields overridden by keyword); its JSON."""
        body = _project(**overrides)
        response = await self.client.post("/v1/projects", json=body, headers=self.auth_header())
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    # What `new_portfolio` publishes: the portfolio, then its owner as its first manager.
    new_portfolio_events = ("intake.portfolio.created", "intake.portfolio.member_added")

    async def new_portfolio(self, owner: str = "pam@example.com", name: str = "Growth") -> str:
        """Create a portfolio as a PMO admin; its owner is its first portfolio_manager member
        (ADR 0026). Its id."""
        body = {"name": name, "owner": owner}
        response = await self.client.post("/v1/portfolios", json=body, headers=self.auth_header())
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def new_request(
        self, headers: dict[str, str] | None = None, *, submit: bool = False, **overrides: Any
    ) -> str:
        """Draft a request as the caller `headers` name (a PMO admin by default), fields
        overridden by keyword, and submit it when asked; its id."""
        headers = headers or self.auth_header()
        body = _request(**overrides)
        created = await self.client.post("/v1/requests", json=body, headers=headers)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "draft"
        request_id = str(created.json()["id"])
        if submit:
            url = f"/v1/requests/{request_id}/submit"
            submitted = await self.client.post(url, headers=headers)
            assert submitted.status_code == 200, submitted.text
            assert submitted.json()["status"] == "submitted"
        return request_id

    async def outbox_events(self) -> list[tuple[str, dict[str, Any]]]:
        """The outbox: (topic, CloudEvent as JSON) of every stored event, oldest first."""
        outbox = messaging.outbox
        async with self.sessions() as session:
            query = select(outbox.c.topic, outbox.c.payload).order_by(outbox.c.id)
            rows = (await session.execute(query)).all()
        return [(row.topic, json.loads(row.payload)) for row in rows]


@pytest.fixture
async def intake(
    intake_settings: IntakeSettings, intake_sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Intake]:
    """The service in process, its lifespan running for the test, and the ways a test drives
    it (see `Intake`)."""
    async with running_client(create_app(intake_settings), "http://intake") as client:
        yield Intake(client, intake_sessions)


# The people the request tests act as; a PMO admin is `intake.auth_header()`.
@pytest.fixture
def ada(intake: Intake) -> dict[str, str]:
    """A project manager: drafts and submits her own requests."""
    return intake.auth_header("project_manager", "ada@example.com")


@pytest.fixture
def bob(intake: Intake) -> dict[str, str]:
    """Another project manager: sees and changes none of Ada's requests."""
    return intake.auth_header("project_manager", "bob@example.com")


@pytest.fixture
def pam(intake: Intake) -> dict[str, str]:
    """A portfolio manager (token role; she acts for the portfolios she is a portfolio_manager
    member of, e.g. those `intake.new_portfolio()` makes her the owner of): reviews requests,
    decides none."""
    return intake.auth_header("portfolio_manager", "pam@example.com")
