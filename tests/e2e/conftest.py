"""The four services as separate uvicorn processes on real Kafka, PostgreSQL, SMTP and HTTP.

The stack is the test kit's (`start_stack`); this suite's own part is its environment: webhooks
to the local receiver allowed, quick delivery retries, INFO logs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pmo_stack.testkit import RunningStack, StackStarter

E2E_ENVIRONMENT = {
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS": "0.2",
    "PMO_LOG_LEVEL": "INFO",
    # The difficulty story: the ladder and the overdue actions are checked every second.
    "PMO_NOTIFICATIONS_ESCALATION_CHECK_SECONDS": "1",
    "PMO_NOTIFICATIONS_PMO_EMAILS": "pmo-desk@example.com",
    "PMO_STANDARDS_ACTION_OVERDUE_CHECK_SECONDS": "1",
    # The signals story: a never-reported project is found overdue within a second.
    "PMO_MONITORING_OVERDUE_CHECK_SECONDS": "1",
    # Digests are previewed, not sent: a digest e-mail would blur the counts of e-mails.
    "PMO_NOTIFICATIONS_DIGEST_CHECK_SECONDS": "0",
}


@pytest.fixture(scope="session")
def running_stack(start_stack: StackStarter) -> RunningStack:
    """Intake, monitoring, standards and notifications, migrated and started for the session."""
    return start_stack("e2e", E2E_ENVIRONMENT)


@pytest.fixture(scope="session")
def token_for(running_stack: RunningStack) -> Callable[..., dict[str, str]]:
    """Authorization headers for a role and e-mail, signed with the stack's secret."""
    return running_stack.tokens.headers


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for talking to the services."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
