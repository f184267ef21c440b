"""The four services on real Kafka and PostgreSQL, configured as production would check them.

The stack is the test kit's (`start_stack`, as tests/e2e starts it); this suite's own part is
its configuration — issuer and audience checks on, a body limit, an e-mail domain allow-list for
subscriptions, private webhook targets refused — and a few rows seeded through the API: two
managers' projects, a submitted request, a draft.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import RunningStack, StackStarter, TokenFactory
from pmo_stack.testkit.project_data import project_body, subscription_body
from pmo_stack.testkit.seeding import Seeder

ISSUER = "https://auth.pmo.example.com/"
AUDIENCE = "pmo-api"
MAX_BODY_BYTES = 1024 * 1024
ADMIN = "pmo-admin@example.com"
MANAGER = "ada.manager@example.com"
OTHER_MANAGER = "grace.manager@example.com"
VIEWER = "victor.viewer@example.com"
SECURITY_ENVIRONMENT = {
    "PMO_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "false",
    "PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS": "example.com",
}


@dataclass
class World:
    """The running stack, its seeded rows and the tokens it accepts."""

    stack: RunningStack
    my_project: dict[str, Any]
    other_project: dict[str, Any]
    submitted_request: dict[str, Any]
    draft_request: dict[str, Any]
    gate: str
    deliverable: str
    admin: dict[str, str]
    manager: dict[str, str]
    viewer: dict[str, str]

    def url(self, service: str, path: str) -> str:
        return self.stack.url(service, path)

    @property
    def tokens(self) -> TokenFactory:
        return self.stack.tokens


@pytest.fixture(scope="session")
def security_stack(start_stack: StackStarter) -> RunningStack:
    """The four services (the test kit's stack), configured as production would check them."""
    return start_stack("sec", SECURITY_ENVIRONMENT, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="session")
def world(security_stack: RunningStack) -> World:
    """Seed two managers' projects (known to every service), requests and a status report."""
    with httpx.Client(timeout=10) as http:
        seed = Seeder(security_stack, http, ADMIN, MANAGER)
        mine = seed.project(project_body("Apollo", MANAGER, sponsor=ADMIN))
        theirs = seed.project(project_body("Borealis", OTHER_MANAGER, sponsor=ADMIN))
        crm = project_body("CRM", MANAGER, sponsor=ADMIN)
        submitted = seed.request("CRM", crm, submit=True)
        data_lake = project_body("Data lake", MANAGER, sponsor=ADMIN)
        draft = seed.request("Data lake", data_lake, submit=False)
        seed.wait_until_known(mine["id"], theirs["id"])
        seed.subscribe_once_known(subscription_body("email", MANAGER, mine["id"]))
        gate, deliverable = seed.first_gate()
        admin, manager = seed.admin, seed.manager
    viewer = security_stack.tokens.headers("viewer", VIEWER)
    return World(
        security_stack, mine, theirs, submitted, draft, gate, deliverable, admin, manager, viewer
    )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """An HTTP client for talking to the services."""
    with httpx.Client(timeout=30) as client:
        yield client
