"""The four services as separate uvicorn processes on real Kafka, PostgreSQL, SMTP and HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pmo_common.auth.tokens import mint_dev_token
from pmo_stack.ports import free_port
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.webhook_receiver import WebhookReceiver

E2E_SECRET = "e2e-secret-0123456789abcdef0123456789"


@dataclass
class RunningStack:
    """The launched stack and the real peers it talks to."""

    stack: Stack
    smtp: SmtpSink
    webhooks: WebhookReceiver

    def url(self, service: str) -> str:
        """Base URL of a service."""
        return self.stack.urls[service]


@pytest.fixture(scope="session")
def running_stack(
    kafka_bootstrap: str,
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningStack]:
    """Migrate and start intake, monitoring, standards and notifications; stop them after."""
    data_dir: Path = tmp_path_factory.mktemp("e2e-stack")
    smtp = SmtpSink("127.0.0.1", free_port())
    smtp.start()
    webhooks = WebhookReceiver("127.0.0.1", 0)
    webhooks.start()
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "PMO_AUTH_JWT_SECRET": E2E_SECRET,
        "PMO_SMTP_HOST": "127.0.0.1",
        "PMO_SMTP_PORT": str(smtp.port),
        "PMO_SMTP_FROM": "pmo@example.com",
        "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
        "PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS": "0.2",
        "PMO_LOG_LEVEL": "INFO",
    }
    for service in SERVICES:
        env[f"PMO_{service.upper()}_DATABASE_URL"] = make_database(f"e2e_{service}")
    ports = {service: free_port() for service in SERVICES}
    stack = Stack(data_dir=data_dir, env=env, ports=ports)
    try:
        stack.start(timeout=120)
    except Exception as exc:
        webhooks.stop()
        smtp.stop()
        pytest.fail(f"the stack did not start: {exc}", pytrace=False)
    yield RunningStack(stack=stack, smtp=smtp, webhooks=webhooks)
    stack.stop()
    webhooks.stop()
    smtp.stop()


@pytest.fixture(scope="session")
def token_for() -> Callable[..., dict[str, str]]:
    """Authorization headers for a role and e-mail, signed with the stack's secret."""

    def build(role: str, email: str) -> dict[str, str]:
        token = mint_dev_token(secret=E2E_SECRET, sub=email, email=email, roles=[role])
        return {"Authorization": f"Bearer {token}"}

    return build


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for talking to the services."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
