"""The fault suite's stack: its own Kafka broker and PostgreSQL server (so they can be killed and
stopped), the four services on them, and one webhook subscription to the stack's receiver.

Time is compressed by configuration, never by mocks: PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS
scales the whole retry schedule (5 s, 30 s, 2 min, 10 min, 30 min, then hourly) by TIME_SCALE,
and the give-up time (24 h) and a dead target's open circuit (30 s) with it, so "five minutes
down" lasts 300 * TIME_SCALE seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import RunningStack, StackStarter
from pmo_stack.testkit.fault_infrastructure import FaultServers, fault_servers
from pmo_stack.testkit.fault_kit import FaultKit
from pmo_stack.testkit.project_data import subscription_body
from pmo_stack.webhook_receiver import WebhookReceiver

TIME_SCALE = 0.02
WEBHOOK_DEADLINE_SECONDS = 2.0
FAULT_ENVIRONMENT = {
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS": str(TIME_SCALE),
    "PMO_NOTIFICATIONS_DELIVERY_GIVE_UP_AFTER_SECONDS": str(86400 * TIME_SCALE),
    # A target's circuit stays open 30 s at scale 1.0: as compressed as the schedule.
    "PMO_NOTIFICATIONS_CIRCUIT_OPEN_SECONDS": str(30 * TIME_SCALE),
    "PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": str(WEBHOOK_DEADLINE_SECONDS),
    # Fixed here, not left to the default, so test_slow_receiver can hold the stack to it.
    "PMO_NOTIFICATIONS_WEBHOOK_MAX_CONCURRENCY_PER_HOST": "2",
    "PMO_LOG_LEVEL": "WARNING",
}
SIGNALS = ("project.at_risk", "project.recovered")
HOOK_PATH = "/pmo-hook"


def pytest_configure(config: pytest.Config) -> None:
    # Registered here, not in pyproject.toml: the marker belongs to this suite alone.
    config.addinivalue_line("markers", "faults: injects a fault into the running stack")


@pytest.fixture(scope="session")
def time_scale() -> float:
    """How much faster than real time the delivery retry schedule runs (0.02: 50 times)."""
    return TIME_SCALE


@pytest.fixture(scope="session")
def webhook_deadline() -> float:
    """The notifications' total deadline for one webhook request, in seconds."""
    return WEBHOOK_DEADLINE_SECONDS


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServers]:
    """This suite's own Kafka broker and PostgreSQL server (never external ones: the suite
    kills and stops them)."""
    with fault_servers(tmp_path_factory.mktemp("kafka")) as started:
        yield started


@pytest.fixture(scope="session")
def kafka_bootstrap(servers: FaultServers) -> str:
    """The kit's fixture, pointed at this suite's broker."""
    return servers.broker.bootstrap_servers


@pytest.fixture(scope="session")
def postgres_cluster_url(servers: FaultServers) -> str:
    """The kit's fixture, pointed at this suite's PostgreSQL server."""
    return servers.postgres.admin_url


@pytest.fixture(scope="session")
def fault_stack(start_stack: StackStarter) -> RunningStack:
    """The four services, shared by the scenarios that leave it as they found it."""
    return start_stack("faults", FAULT_ENVIRONMENT)


@dataclass
class Subscriptions:
    """Webhook subscriptions of receivers to every project's at-risk and recovered signals."""

    stack: RunningStack

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        admin = self.stack.tokens.headers("pmo_admin", "pmo-admin@example.com")
        url = self.stack.url("notifications", path)
        return httpx.request(method, url, headers=admin, timeout=30, **kwargs)

    def add(self, receiver: WebhookReceiver, path: str = HOOK_PATH) -> str:
        """Subscribe `receiver` at `path` (as a PMO admin); the subscription's id."""
        body = subscription_body("webhook", receiver.url + path, event_types=SIGNALS)
        answer = self._call("POST", "/v1/subscriptions", json=body)
        assert answer.status_code == 201, answer.text
        subscription_id: str = answer.json()["id"]
        return subscription_id

    def remove(self, subscription_id: str) -> None:
        """Delete the subscription (what is still queued for it is skipped)."""
        answer = self._call("DELETE", f"/v1/subscriptions/{subscription_id}")
        assert answer.status_code == 204, answer.text


@pytest.fixture(scope="session")
def subscriptions(fault_stack: RunningStack) -> Subscriptions:
    """Adds and removes webhook subscriptions on the shared stack."""
    return Subscriptions(fault_stack)


@pytest.fixture(scope="session")
def stack(fault_stack: RunningStack, subscriptions: Subscriptions) -> RunningStack:
    """The shared stack with its own webhook receiver subscribed."""
    subscriptions.add(fault_stack.webhooks)
    return fault_stack


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the services' public API."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def faults(stack: RunningStack, http: httpx.AsyncClient, kafka_bootstrap: str) -> FaultKit:
    """The shared stack, its broker, a scenario's own load (`faults.new_load("scenario")`) and
    the ledger that counts it (`faults.ledger(load, extra webhook targets by name)`)."""
    return FaultKit(stack, http, kafka_bootstrap, HOOK_PATH)
