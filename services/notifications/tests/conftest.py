"""Fixtures of notifications' unit tests: a migrated SQLite file, the app in process, a real
SMTP server (aiosmtpd) and a real HTTP webhook receiver on loopback."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    HealthMetrics,
    ProjectAtRisk,
    ProjectCreated,
    ProjectRecovered,
    Reason,
    ReportOverdue,
)
from pmo_common.messaging.event_applier import Outcome
from pmo_common.web.runtime import ServiceRuntime
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import messaging
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from sqlalchemy import select

TEST_JWT_SECRET = "notifications-test-secret-0123456789abcdef"
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _CollectingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A real aiosmtpd server on loopback and the messages it accepted."""

    host: str
    port: int
    handler: _CollectingHandler

    @property
    def messages(self) -> list[EmailMessage]:
        """Messages received so far."""
        return list(self.handler.messages)


@pytest.fixture
def notifications_smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1."""
    handler = _CollectingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer("127.0.0.1", port, handler)
    controller.stop()


@dataclass
class ReceivedRequest:
    """One webhook as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A real HTTP server on loopback answering scripted statuses, recording every request."""

    server: ThreadingHTTPServer
    statuses: list[int] = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)
    default_status: int = 204
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL of the receiver."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def notifications_receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP webhook receiver (stdlib http.server in a thread)."""
    lock = threading.Lock()
    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                receiver.requests.append(
                    ReceivedRequest(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body
                    )
                )
                status = receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
            self.send_response(status)
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = WebhookReceiver(server=server)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def notifications_settings(tmp_path: Path, notifications_smtp: SmtpServer) -> NotificationsSettings:
    """Settings on a fresh migrated SQLite file, Kafka off, private webhook targets allowed."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}"
    migrate(url)
    return NotificationsSettings(
        environment="test",
        database_url=url,
        data_dir=tmp_path,
        kafka_enabled=False,
        auth_jwt_secret=TEST_JWT_SECRET,
        smtp_host=notifications_smtp.host,
        smtp_port=notifications_smtp.port,
        smtp_from="pmo@example.com",
        webhook_allow_private=True,
        delivery_backoff_seconds=0.05,
        delivery_max_attempts=3,
        webhook_timeout_seconds=2,
    )


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


@pytest.fixture
async def notifications(
    notifications_settings: NotificationsSettings,
) -> AsyncIterator[NotificationsHarness]:
    """The notifications app in process (lifespan and delivery job running)."""
    app = create_app(notifications_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notifications"
        ) as client:
            yield NotificationsHarness(app=app, client=client)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 5.0, what: str = "condition"
) -> T:
    """Poll `probe` until it answers something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def notifications_eventually() -> Callable[..., Awaitable[Any]]:
    """The polling helper, as a fixture."""
    return eventually


def at_risk_payload(
    project_id: str,
    *,
    name: str = "Apollo",
    manager: str = "ada@example.com",
    sponsor: str | None = "grace@example.com",
    portfolio_id: str | None = None,
    severity: str = "critical",
    rag: str = "red",
    reasons: list[Reason] | None = None,
) -> ProjectAtRisk:
    """A project.at_risk payload with a CPI reason by default."""
    return ProjectAtRisk(
        project_id=project_id,
        project_name=name,
        manager=manager,
        sponsor=sponsor,
        portfolio_id=portfolio_id,
        rag=rag,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        reasons=reasons
        or [
            Reason(
                code="cpi_below_threshold",
                message="Cost performance index 0.82 is below the red threshold 0.90",
                metric="cpi",
                value=0.82,
                threshold=0.9,
            )
        ],
        metrics=HealthMetrics(cpi=0.82, spi=0.97, eac=1_220_000.0, bac=1_000_000.0),
        as_of=date(2026, 3, 2),
    )


def recovered_payload(
    project_id: str, *, name: str = "Apollo", manager: str = "ada@example.com", rag: str = "amber"
) -> ProjectRecovered:
    """A project.recovered payload."""
    return ProjectRecovered(
        project_id=project_id,
        project_name=name,
        manager=manager,
        previous_rag="red",
        rag=rag,  # type: ignore[arg-type]
        metrics=HealthMetrics(cpi=0.96, spi=0.99),
        as_of=date(2026, 3, 9),
    )


def overdue_payload(project_id: str, *, period: int, name: str = "Apollo") -> ReportOverdue:
    """A project.report_overdue payload."""
    return ReportOverdue(
        project_id=project_id,
        project_name=name,
        manager="ada@example.com",
        last_report_at=date(2026, 2, 1),
        due_date=date(2026, 2, 15),
        days_overdue=3,
        period=period,
    )


def created_payload(
    project_id: str,
    *,
    name: str = "Apollo",
    manager: str = "ada@example.com",
    sponsor: str | None = "grace@example.com",
    portfolio_id: str | None = None,
    version: int = 1,
) -> ProjectCreated:
    """A project.created payload."""
    return ProjectCreated(
        project_id=project_id,
        name=name,
        manager=manager,
        sponsor=sponsor,
        methodology="waterfall",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        budget=1_000_000,
        currency="EUR",
        portfolio_id=portfolio_id,
        status="active",
        version=version,
    )


@dataclass(frozen=True)
class EventPayloads:
    """Builders of consumed-event payloads."""

    at_risk: Callable[..., ProjectAtRisk] = at_risk_payload
    recovered: Callable[..., ProjectRecovered] = recovered_payload
    overdue: Callable[..., ReportOverdue] = overdue_payload
    created: Callable[..., ProjectCreated] = created_payload


@pytest.fixture
def notifications_payloads() -> EventPayloads:
    """Builders of the payloads notifications consumes."""
    return EventPayloads()
