"""Fixtures of notifications' unit tests: a migrated SQLite file and the app in process.

The SMTP server (aiosmtpd) and the webhook receiver (an HTTP server on loopback) are the shared
test kit's `smtp_sink` and `webhook_receiver`; `eventually` is the kit's.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    ActionOverdue,
    EventPayload,
    HealthMetrics,
    InterventionAssigned,
    InterventionClosed,
    InterventionOpened,
    ProjectAtRisk,
    ProjectCreated,
    ProjectRecovered,
    Reason,
    ReportOverdue,
)
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_common.web.runtime import ServiceRuntime
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    AttemptEnd,
    claim_due_deliveries,
    finish_attempts,
    insert_planned_deliveries,
)
from pmo_notifications.db.tables import messaging
from pmo_notifications.domain.delivery_schedule import DeliveryRecord, PlannedDelivery
from pmo_notifications.handlers.consumed_events import CONSUMED
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually
from pmo_stack.testkit.chat_schemas import ChatSchemas
from pmo_stack.testkit.in_process import sqlite_settings
from pmo_stack.testkit.portfolio_membership import MemberRole, membership_event
from pmo_stack.webhook_receiver import WebhookReceiver
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

TEST_JWT_SECRET = "notifications-test-secret-0123456789abcdef"
# Far longer than any test waits: a delivery that arrives promptly was woken by the commit that
# planned it (or by its retry falling due), not found by polling.
DELIVERY_POLL_SECONDS = 30.0
P = TypeVar("P", bound=EventPayload)


@pytest.fixture
def notifications_settings(tmp_path: Path, smtp_sink: SmtpSink) -> NotificationsSettings:
    """Settings on a fresh migrated SQLite file, Kafka off, private webhook targets allowed,
    and a delivery poll too slow to matter."""
    return sqlite_settings(
        NotificationsSettings,
        migrate,
        tmp_path,
        environment="test",
        auth_jwt_secret=TEST_JWT_SECRET,
        smtp_host=smtp_sink.host,
        smtp_port=smtp_sink.port,
        smtp_from="pmo@example.com",
        webhook_allow_private=True,
        # The schedule compressed 100 times (retries after 0.05 s, 0.3 s, ...), given up after
        # the third attempt (no give-up time to wait for).
        delivery_backoff_seconds=0.01,
        delivery_max_attempts=3,
        delivery_give_up_after_seconds=0,
        webhook_timeout_seconds=2,
        delivery_poll_interval_seconds=DELIVERY_POLL_SECONDS,
    )


# The service's consumer on an engine of its own, without its runtime (no delivery job beside
# it): the engine, its sessions and the applier of every event the service consumes.
ServiceApplier = tuple[AsyncEngine, async_sessionmaker[AsyncSession], EventApplier]


@pytest.fixture
async def service_applier(
    notifications_settings: NotificationsSettings,
) -> AsyncIterator[ServiceApplier]:
    engine = create_database_engine(notifications_settings.database_url)
    sessions = create_session_factory(engine)
    applier = EventApplier(
        consumer="notifications-test", session_factory=sessions, tables=messaging, handlers=CONSUMED
    )
    yield engine, sessions, applier
    await engine.dispose()


@dataclass
class NotificationsHarness:
    """The running app, an HTTP client on it, and helpers to feed it events."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def runtime(self) -> ServiceRuntime:
        """The app's runtime (sessions, applier)."""
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    def auth(
        self, role: str | None = "pmo_admin", email: str | None = "pmo@example.com"
    ) -> dict[str, str]:
        """An Authorization header for a role and e-mail."""
        roles = [role] if role else []
        token = mint_dev_token(secret=TEST_JWT_SECRET, sub=email or "svc", email=email, roles=roles)
        return {"Authorization": f"Bearer {token}"}

    async def apply(self, event_type: str, data: Any, subject: str | None = None) -> CloudEvent:
        """Feed one consumed event through the service's idempotent applier."""
        event = CloudEvent(
            source="/pmo/test",
            type=event_type,
            subject=subject,
            data=data.model_dump(mode="json"),
        )
        await self.apply_event(event)
        return event

    async def apply_event(self, event: CloudEvent) -> Outcome:
        """Apply an already built envelope; fails the test unless it was applied or a duplicate."""
        applier = self.runtime.applier
        assert applier is not None
        outcome, failure = await applier.apply(event)
        assert failure is None, failure
        return outcome

    async def member(
        self,
        portfolio_id: str,
        email: str = "pm@example.com",
        role: MemberRole = "portfolio_manager",
    ) -> dict[str, str]:
        """Make `email` a member of the portfolio (member_added, as intake publishes it);
        the headers of their portfolio_manager token."""
        await self.apply_event(membership_event(portfolio_id=portfolio_id, email=email, role=role))
        return self.auth("portfolio_manager", email)

    async def manager_of_project(
        self, project_id: str, email: str = "pm@example.com"
    ) -> dict[str, str]:
        """Make notifications know the project (project.created) in a portfolio of its own that
        `email` manages; the headers of their portfolio_manager token."""
        portfolio_id = f"portfolio-of-{project_id}"
        created = created_payload(project_id, portfolio_id=portfolio_id)
        await self.apply("project.created", created, subject=project_id)
        return await self.member(portfolio_id, email)

    async def outbox_types(self, prefix: str = "") -> list[str]:
        """Types (starting with `prefix`) of the events written to the outbox, oldest first."""
        outbox = messaging.outbox
        async with self.runtime.sessions() as session:
            rows = await session.execute(select(outbox.c.topic).order_by(outbox.c.id))
            return [row.topic for row in rows if row.topic.startswith(prefix)]

    async def outbox_events(self, event_type: str) -> list[CloudEvent]:
        """The envelopes of one type notifications wrote to its outbox."""
        outbox = messaging.outbox
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(outbox.c.payload).where(outbox.c.topic == event_type).order_by(outbox.c.id)
            )
            return [CloudEvent.model_validate_json(row.payload) for row in rows]

    async def subscribe_webhook(
        self, target: str, project_id: str, *event_types: str
    ) -> dict[str, Any]:
        """A project manager's webhook subscription of `target` to the project's `event_types`."""
        fields = {
            "channel": "webhook",
            "target": target,
            "event_types": list(event_types),
            "project_id": project_id,
        }
        manager = await self.manager_of_project(project_id)
        answer = await self.client.post("/v1/subscriptions", headers=manager, json=fields)
        assert answer.status_code == 201, answer.text
        subscription: dict[str, Any] = answer.json()
        return subscription

    async def at_risk_sent_to(self, *urls: str) -> list[dict[str, Any]]:
        """Subscribe each of `urls` to a new project's project.at_risk, then signal it once; the
        subscriptions, in the order of `urls`."""
        project_id = str(uuid.uuid4())
        subscriptions = [
            await self.subscribe_webhook(url, project_id, "project.at_risk") for url in urls
        ]
        await self.apply("project.at_risk", at_risk_payload(project_id))
        return subscriptions

    async def at_risk_attempts_ending(self, url: str, status: str) -> list[dict[str, Any]]:
        """Signal a new project at risk to a webhook at `url` alone; the attempts of that
        delivery, once the latest one has ended in `status`."""
        (subscription,) = await self.at_risk_sent_to(url)
        return await self.webhook_attempts_ending(subscription["id"], status)

    async def webhook_failures(self) -> list[CloudEvent]:
        """The notification.failed events notifications published about webhooks."""
        failures = await self.outbox_events("notification.failed")
        return [event for event in failures if event.data["channel"] == "webhook"]

    async def webhook_attempts(self, subscription_id: str) -> list[dict[str, Any]]:
        """The delivery log's webhook attempts for one subscription, first attempt first."""
        params = {"channel": "webhook"}
        answer = await self.client.get("/v1/deliveries", headers=self.auth(), params=params)
        items: list[dict[str, Any]] = answer.json()["items"]
        mine = (item for item in items if item["subscription_id"] == subscription_id)
        return sorted(mine, key=lambda item: item["attempt"])

    async def webhook_attempts_ending(
        self, subscription_id: str, status: str
    ) -> list[dict[str, Any]]:
        """The subscription's webhook attempts, once the latest one has ended in `status`."""

        async def ended() -> list[dict[str, Any]] | None:
            attempts = await self.webhook_attempts(subscription_id)
            return attempts if attempts and attempts[-1]["status"] == status else None

        return await eventually(ended, what=f"the last attempt to end {status}")


@contextlib.asynccontextmanager
async def running_notifications(
    settings: NotificationsSettings,
) -> AsyncIterator[NotificationsHarness]:
    """The notifications app in process on `settings` (lifespan and delivery job running)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notifications"
        ) as client:
            yield NotificationsHarness(app=app, client=client)


@pytest.fixture
async def notifications(
    notifications_settings: NotificationsSettings,
) -> AsyncIterator[NotificationsHarness]:
    """The notifications app in process (lifespan and delivery job running)."""
    async with running_notifications(notifications_settings) as harness:
        yield harness


RunNotifications = Callable[..., contextlib.AbstractAsyncContextManager[NotificationsHarness]]


@pytest.fixture
def run_notifications(notifications_settings: NotificationsSettings) -> RunNotifications:
    """Start the app on the test settings with some changed: `run_notifications(field=value)`
    (time is compressed through settings, never by mocking the clock)."""

    def start(**changes: Any) -> contextlib.AbstractAsyncContextManager[NotificationsHarness]:
        changed = NotificationsSettings.model_validate(
            notifications_settings.model_dump() | changes
        )
        return running_notifications(changed)

    return start


def cpi_reason() -> Reason:
    """Monitoring's reason for a cost performance index under the red threshold."""
    return Reason(
        code="cpi_below_threshold",
        message="Cost performance index 0.82 is below the red threshold 0.90",
        metric="cpi",
        value=0.82,
        threshold=0.9,
    )


def _payload(model: type[P], defaults: dict[str, Any], changes: dict[str, Any]) -> P:
    # Payload models ignore fields they do not know; a misspelt change must fail the test instead.
    unknown = changes.keys() - model.model_fields.keys()
    assert not unknown, f"{model.__name__} has no field {sorted(unknown)}"
    return model(**(defaults | changes))


# The project every payload describes unless a test changes it: Apollo, led by Ada for Grace.
APOLLO_LEADS: dict[str, Any] = {"manager": "ada@example.com", "sponsor": "grace@example.com"}


def at_risk_payload(project_id: str, **changes: Any) -> ProjectAtRisk:
    """A project.at_risk payload: Apollo red and critical on its CPI, unless `changes` say else."""
    defaults = {
        "project_id": project_id,
        "project_name": "Apollo",
        **APOLLO_LEADS,
        "rag": "red",
        "severity": "critical",
        "reasons": [cpi_reason()],
        "metrics": HealthMetrics(cpi=0.82, spi=0.97, eac=1_220_000.0, bac=1_000_000.0),
        "as_of": date(2026, 3, 2),
    }
    return _payload(ProjectAtRisk, defaults, changes)


def recovered_payload(project_id: str, **changes: Any) -> ProjectRecovered:
    """A project.recovered payload: Apollo back from red to amber."""
    defaults = {
        "project_id": project_id,
        "project_name": "Apollo",
        "manager": APOLLO_LEADS["manager"],
        "previous_rag": "red",
        "rag": "amber",
        "metrics": HealthMetrics(cpi=0.96, spi=0.99),
        "as_of": date(2026, 3, 9),
    }
    return _payload(ProjectRecovered, defaults, changes)


def overdue_payload(project_id: str, *, period: int, **changes: Any) -> ReportOverdue:
    """A project.report_overdue payload: Apollo's report of `period`, three days late."""
    defaults = {
        "project_id": project_id,
        "project_name": "Apollo",
        "manager": APOLLO_LEADS["manager"],
        "last_report_at": date(2026, 2, 1),
        "due_date": date(2026, 2, 15),
        "days_overdue": 3,
        "period": period,
    }
    return _payload(ReportOverdue, defaults, changes)


def created_payload(project_id: str, **changes: Any) -> ProjectCreated:
    """A project.created payload: Apollo, active, at version 1."""
    defaults = {
        "project_id": project_id,
        "name": "Apollo",
        **APOLLO_LEADS,
        "methodology": "waterfall",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "budget": 1_000_000,
        "currency": "EUR",
        "status": "active",
        "version": 1,
    }
    return _payload(ProjectCreated, defaults, changes)


def _intervention(project_id: str) -> dict[str, Any]:
    # The case every intervention payload is about unless a test changes it: Apollo's first.
    return {
        "project_id": project_id,
        "project_name": "Apollo",
        **APOLLO_LEADS,
        "intervention_id": f"iv-{project_id}",
    }


def opened_payload(project_id: str, **changes: Any) -> InterventionOpened:
    """An intervention.opened payload: Apollo's case opened on its CPI, not assigned yet."""
    defaults = _intervention(project_id) | {
        "reasons": [cpi_reason()],
        "opened_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    }
    return _payload(InterventionOpened, defaults, changes)


def assigned_payload(project_id: str, **changes: Any) -> InterventionAssigned:
    """An intervention.assigned payload: Carla takes Apollo's case."""
    defaults = _intervention(project_id) | {
        "owner": "carla.consultant@example.com",
        "assigned_by": "pmo@example.com",
        "assigned_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    }
    return _payload(InterventionAssigned, defaults, changes)


def closed_payload(project_id: str, **changes: Any) -> InterventionClosed:
    """An intervention.closed payload: Apollo recovered."""
    defaults = _intervention(project_id) | {
        "close_reason": "recovered",
        "closed_at": datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
    }
    return _payload(InterventionClosed, defaults, changes)


def action_overdue_payload(project_id: str, **changes: Any) -> ActionOverdue:
    """An intervention.action_overdue payload: Grace's action on Apollo, three days late."""
    defaults = _intervention(project_id) | {
        "owner": "carla.consultant@example.com",
        "action_id": f"act-{project_id}",
        "title": "Hire a second integration team",
        "action_owner": "grace@example.com",
        "due_date": date(2026, 3, 10),
        "days_overdue": 3,
    }
    return _payload(ActionOverdue, defaults, changes)


@dataclass(frozen=True)
class EventPayloads:
    """Builders of consumed-event payloads."""

    at_risk: Callable[..., ProjectAtRisk] = at_risk_payload
    recovered: Callable[..., ProjectRecovered] = recovered_payload
    overdue: Callable[..., ReportOverdue] = overdue_payload
    created: Callable[..., ProjectCreated] = created_payload
    cpi_reason: Callable[[], Reason] = cpi_reason
    # Standards' intervention.* events.
    opened: Callable[..., InterventionOpened] = opened_payload
    assigned: Callable[..., InterventionAssigned] = assigned_payload
    closed: Callable[..., InterventionClosed] = closed_payload
    action_overdue: Callable[..., ActionOverdue] = action_overdue_payload


@pytest.fixture
def notifications_payloads() -> EventPayloads:
    """Builders of the payloads notifications consumes."""
    return EventPayloads()


def delivery_content(**changes: Any) -> dict[str, Any]:
    """The content of one delivery (an at-risk e-mail to Ada about project `p`), as the fields
    PlannedDelivery and DeliveryRecord share, unless `changes` say else."""
    defaults: dict[str, Any] = {
        "event_id": "e",
        "event_type": "project.at_risk",
        "alert_id": None,
        "project_id": "p",
        "subscription_id": None,
        "channel": "email",
        "target": "ada@example.com",
        "subject": "s",
        "payload": "b",
    }
    return defaults | changes


@dataclass
class DeliveryLog:
    """The delivery log on its own migrated database, driven as the delivery job drives it."""

    sessions: async_sessionmaker[AsyncSession]

    async def plan(self, *changes: dict[str, Any], message_ids: list[str], at: datetime) -> None:
        """Record the first attempt of each delivery: `delivery_content` with its changes."""
        async with self.sessions() as session, session.begin():
            await insert_planned_deliveries(
                session,
                planned=[PlannedDelivery(**delivery_content(**change)) for change in changes],
                message_ids=message_ids,
                at=at,
            )

    async def claim(
        self, token: str, *, now: datetime, lease: timedelta = timedelta(seconds=30)
    ) -> list[DeliveryRecord]:
        """What a replica holding `token` claims at `now`."""
        async with self.sessions() as session, session.begin():
            return await claim_due_deliveries(
                session, now=now, lease_until=now + lease, token=token, limit=10
            )

    async def finish(
        self, delivery: DeliveryRecord, *, token: str, status: str, at: datetime
    ) -> DeliveryRecord | None:
        """Record how a claimed attempt ended; None when the claim was lost."""
        async with self.sessions() as session, session.begin():
            end = AttemptEnd(delivery.id, token, status)
            finished = await finish_attempts(session, ends=[end], at=at)
        return finished[0] if finished else None


@dataclass(frozen=True)
class DownReceiver:
    """A webhook receiver that is down: nothing listens on its free port on 127.0.0.1, so
    every send to `url` is refused, until `back()` starts a receiver there."""

    port: int

    @property
    def url(self) -> str:
        """The webhook URL a subscription points at."""
        return f"http://127.0.0.1:{self.port}/hook"

    def back(self) -> WebhookReceiver:
        """The receiver up again on the same port (stop it with `with` or `stop()`)."""
        return WebhookReceiver("127.0.0.1", self.port)


@pytest.fixture
def down_receiver() -> DownReceiver:
    """A webhook receiver that is down until the test brings it back (see `DownReceiver`)."""
    receiver = WebhookReceiver("127.0.0.1", 0)
    port = receiver.port
    receiver.stop()
    return DownReceiver(port)


@pytest.fixture
def delivery_contents() -> Callable[..., dict[str, Any]]:
    """The builder of a delivery's content (`delivery_content`)."""
    return delivery_content


@pytest.fixture
async def delivery_log(tmp_path: Path) -> AsyncIterator[DeliveryLog]:
    """The delivery log on a fresh migrated SQLite file, with no app running."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'deliveries.db'}"
    # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    try:
        yield DeliveryLog(create_session_factory(engine))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def chat_schemas() -> ChatSchemas:
    """The validators of chat messages (each schema checked against its own draft first)."""
    return ChatSchemas.load()
