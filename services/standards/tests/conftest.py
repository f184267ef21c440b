"""Fixtures of standards' unit tests: a migrated SQLite database, the app, tokens, events.

The suite runs with --import-mode=importlib, so helpers are handed out as fixtures rather than
imported from a support module.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import (
    HealthMetrics,
    ProjectAtRisk,
    ProjectClosed,
    ProjectCreated,
    ProjectRecovered,
    ProjectUpdated,
)
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_common.web.runtime import ServiceRuntime
from pmo_stack.testkit.in_process import asgi_client, running, sqlite_settings
from pmo_stack.testkit.portfolio_membership import MemberRole, membership_event
from pmo_standards.config import StandardsSettings
from pmo_standards.db.tables import messaging
from pmo_standards.main import create_app
from pmo_standards.migrate import migrate
from sqlalchemy import select


@pytest.fixture
def standards_settings(tmp_path: Path) -> StandardsSettings:
    """Settings on a fresh, migrated SQLite database, with Kafka off."""
    # The overdue-action job is off: tests call its pass themselves, at the date they choose.
    return sqlite_settings(StandardsSettings, migrate, tmp_path, action_overdue_check_seconds=0)


@pytest.fixture
async def standards_app(standards_settings: StandardsSettings) -> AsyncIterator[FastAPI]:
    """The app, started (methodologies seeded) and stopped around the test."""
    async with running(create_app(standards_settings)) as app:
        yield app


@pytest.fixture
def standards_runtime(standards_app: FastAPI) -> ServiceRuntime:
    """The running app's runtime (sessions, applier)."""
    runtime: ServiceRuntime = standards_app.state.runtime
    return runtime


@pytest.fixture
async def standards_client(standards_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with asgi_client(standards_app, "http://standards") as client:
        yield client


@pytest.fixture
def standards_auth() -> Callable[..., dict[str, str]]:
    """Authorization headers for a caller with the given roles and e-mail."""

    def make(*roles: str, email: str | None = None) -> dict[str, str]:
        token = mint_dev_token(
            secret=DEVELOPMENT_JWT_SECRET,
            sub=email or f"user-{'-'.join(roles)}",
            email=email,
            roles=list(roles),
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def standards_problem() -> Callable[[httpx.Response, int], dict[str, Any]]:
    """Check that a response is a problem+json answer with the status; returns its body."""

    def check(response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body: dict[str, Any] = response.json()
        return body

    return check


@pytest.fixture
def standards_project_event() -> Callable[..., CloudEvent]:
    """A project.created or project.updated event shaped as intake sends it."""

    def make(
        *,
        project_id: str | None = None,
        name: str = "Warehouse system",
        manager: str = "pm@corp.example",
        methodology: str = "waterfall",
        status: str = "active",
        version: int = 1,
        event_type: str = "project.created",
        portfolio_id: str | None = None,
    ) -> CloudEvent:
        fields: dict[str, Any] = {
            "project_id": project_id or str(uuid.uuid4()),
            "name": name,
            "manager": manager,
            "methodology": methodology,
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
            "budget": 100_000.0,
            "currency": "EUR",
            "status": status,
            "version": version,
            "portfolio_id": portfolio_id,
        }
        payload: ProjectCreated | ProjectUpdated = ProjectCreated(**fields)
        if event_type == "project.updated":
            payload = ProjectUpdated(**fields, changed_fields=["name"])
        return build_event(
            service="intake", event_type=event_type, data=payload, subject=fields["project_id"]
        )

    return make


@pytest.fixture
def standards_project(
    standards_project_event: Callable[..., CloudEvent],
    standards_deliver: Callable[..., Awaitable[list[str]]],
) -> Callable[..., Awaitable[str]]:
    """Make standards hear of a project from intake (event fields as keywords); returns its id."""

    async def hear_of(**fields: Any) -> str:
        event = standards_project_event(**fields)
        assert await standards_deliver(event) == ["applied"]
        return str(event.data["project_id"])

    return hear_of


@pytest.fixture
def standards_closed_event() -> Callable[..., CloudEvent]:
    """A project.closed event shaped as intake sends it."""

    def make(*, project_id: str, version: int, name: str = "Warehouse system") -> CloudEvent:
        payload = ProjectClosed(
            project_id=project_id, name=name, closed_at=datetime.now(UTC), version=version
        )
        return build_event(
            service="intake", event_type="project.closed", data=payload, subject=project_id
        )

    return make


@pytest.fixture
def standards_outbox(
    standards_runtime: ServiceRuntime,
) -> Callable[..., Awaitable[list[CloudEvent]]]:
    """The events written to the outbox (optionally of one topic), oldest first."""

    async def read(topic: str | None = None) -> list[CloudEvent]:
        outbox = messaging.outbox
        query = select(outbox.c.topic, outbox.c.message_key, outbox.c.payload).order_by(outbox.c.id)
        if topic is not None:
            query = query.where(outbox.c.topic == topic)
        async with standards_runtime.sessions() as session:
            rows = (await session.execute(query)).all()
        events = [CloudEvent.model_validate_json(row.payload) for row in rows]
        for row, event in zip(rows, events, strict=True):
            # Topic = event type and key = subject (the project id) is the contract.
            assert row.topic == event.type and row.message_key == event.subject
        return events

    return read


@pytest.fixture
def standards_deliver(
    standards_runtime: ServiceRuntime,
) -> Callable[..., Awaitable[list[str]]]:
    """Apply consumed events through the real applier; returns each outcome's name."""

    async def deliver(*events: CloudEvent) -> list[str]:
        assert standards_runtime.applier is not None
        outcomes = []
        for event in events:
            outcome, failure = await standards_runtime.applier.apply(event)
            assert failure is None, failure
            outcomes.append(outcome.value)
        return outcomes

    return deliver


@pytest.fixture
def standards_member(
    standards_deliver: Callable[..., Awaitable[list[str]]],
) -> Callable[..., Awaitable[dict[str, str]]]:
    """Make someone a member of a portfolio, as intake announces it; returns their headers
    (a portfolio_manager token unless `token_roles` says otherwise)."""

    async def join(
        portfolio_id: str,
        email: str,
        role: MemberRole = "portfolio_manager",
        token_roles: tuple[str, ...] = ("portfolio_manager",),
    ) -> dict[str, str]:
        event = membership_event(portfolio_id=portfolio_id, email=email, role=role)
        assert await standards_deliver(event) == ["applied"]
        token = mint_dev_token(
            secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=list(token_roles)
        )
        return {"Authorization": f"Bearer {token}"}

    return join


@pytest.fixture
def standards_health_event() -> Callable[..., CloudEvent]:
    """A project.at_risk (red on CPI unless told otherwise) or project.recovered (to green)."""

    def make(
        *,
        project_id: str,
        event_type: str = "project.at_risk",
        rag: str | None = None,
        reasons: list[dict[str, Any]] | None = None,
        health_version: int | None = None,
        manager: str = "pm@corp.example",
        project_name: str = "Warehouse system",
        portfolio_id: str = "portfolio-1",
    ) -> CloudEvent:
        fields: dict[str, Any] = {
            "project_id": project_id,
            "project_name": project_name,
            "manager": manager,
            "sponsor": "sponsor@corp.example",
            "portfolio_id": portfolio_id,
            "reasons": reasons
            if reasons is not None
            else [
                {
                    "code": "cpi_below_threshold",
                    "message": "CPI 0.80",
                    "metric": "cpi",
                    # Monitoring words each reason in every language (Reason.messages).
                    "messages": {"en": "CPI 0.80", "fr": "CPI 0,80"},
                }
            ],
            "metrics": HealthMetrics(cpi=0.8),
            "as_of": date(2026, 3, 2),
            "health_version": health_version,
        }
        payload: ProjectAtRisk | ProjectRecovered
        if event_type == "project.at_risk":
            severity = "warning" if rag == "amber" else "critical"
            payload = ProjectAtRisk(**fields, rag=rag or "red", severity=severity)
        else:
            payload = ProjectRecovered(**fields, previous_rag="red", rag=rag or "green")
        return build_event(
            service="monitoring", event_type=event_type, data=payload, subject=project_id
        )

    return make


MANAGER = "pm@corp.example"


def exception_report_body(**changes: Any) -> dict[str, Any]:
    """A valid exception report recommending 'extend', with lessons, changed by `changes`."""
    body: dict[str, Any] = {
        "title": "Integration costs overran",
        "cause": "The legacy interfaces needed twice the effort estimated.",
        "consequences": "Budget overrun of 40%.",
        "options": [
            {
                "key": "descope",
                "description": "Drop reports",
                "cost_impact": -10000.0,
                "schedule_impact_days": 0,
            },
            {
                "key": "extend",
                "description": "A second team",
                "cost_impact": 25000.0,
                "schedule_impact_days": 30,
            },
        ],
        "recommendation": "extend",
        "lessons": "Prototype every legacy interface before estimating (albatross).",
    }
    return {**body, **changes}


@dataclass
class InterventionDesk:
    """Standards' interventions as a test drives them: events in, routes out."""

    client: httpx.AsyncClient
    auth: Callable[..., dict[str, str]]
    deliver: Callable[..., Awaitable[list[str]]]
    health: Callable[..., CloudEvent]
    hear_of: Callable[..., Awaitable[str]]
    outbox: Callable[..., Awaitable[list[CloudEvent]]]
    member: Callable[..., Awaitable[dict[str, str]]]

    @property
    def admin(self) -> dict[str, str]:
        return self.auth("pmo_admin", email="admin@pmo.example")

    @property
    def manager(self) -> dict[str, str]:
        return self.auth("project_manager", email=MANAGER)

    async def signal(self, project_id: str, **fields: Any) -> list[str]:
        """Deliver a project.at_risk (or, with event_type=, project.recovered) about the project."""
        return await self.deliver(self.health(project_id=project_id, **fields))

    async def read(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        """The JSON a GET of `path` answers, which must be a 200 (as an admin by default)."""
        answer = await self.client.get(path, params=params, headers=headers or self.admin)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def cases(self, headers: dict[str, str] | None = None, **params: Any) -> list[Any]:
        items: list[Any] = (await self.read("/v1/interventions", headers, **params))["items"]
        return items

    async def case(self, case_id: str) -> dict[str, Any]:
        body: dict[str, Any] = await self.read(f"/v1/interventions/{case_id}")
        return body

    async def open_case(self, **signal: Any) -> dict[str, Any]:
        """A project standards knows (managed by MANAGER) entering red; its one open case."""
        project_id = await self.hear_of()
        assert await self.signal(project_id, **signal) == ["applied"]
        (case,) = await self.cases(project_id=project_id)
        assert case["status"] == "open"
        return dict(case)

    async def post(
        self, case_id: str, what: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/interventions/{case_id}/{what}", json=body, headers=headers or self.admin
        )

    async def add_action(
        self, case_id: str, due: date, title: str = "Re-plan", owner: str = "owner@corp.example"
    ) -> str:
        answer = await self.post(
            case_id, "actions", {"title": title, "owner": owner, "due_date": due.isoformat()}
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def finish(
        self, case_id: str, action_id: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """Mark the action done (as the project's manager by default)."""
        return await self.client.patch(
            f"/v1/interventions/{case_id}/actions/{action_id}",
            json={"status": "done"},
            headers=headers or self.manager,
        )


@pytest.fixture
def interventions(
    standards_client: httpx.AsyncClient,
    standards_auth: Callable[..., dict[str, str]],
    standards_deliver: Callable[..., Awaitable[list[str]]],
    standards_health_event: Callable[..., CloudEvent],
    standards_project: Callable[..., Awaitable[str]],
    standards_outbox: Callable[..., Awaitable[list[CloudEvent]]],
    standards_member: Callable[..., Awaitable[dict[str, str]]],
) -> InterventionDesk:
    """The intervention desk of the running app."""
    return InterventionDesk(
        standards_client,
        standards_auth,
        standards_deliver,
        standards_health_event,
        standards_project,
        standards_outbox,
        standards_member,
    )


@pytest.fixture
def report_body() -> Callable[..., dict[str, Any]]:
    """A valid exception report body, changed by keywords."""
    return exception_report_body
