"""The four services on real Kafka and PostgreSQL, configured as production would check them.

Started once per session the way tests/e2e starts them (`pmo_stack.services.Stack` with the test
kit's `kafka_bootstrap` and `make_database`), with issuer and audience checks on, a body limit,
an e-mail domain allow-list for subscriptions, and private webhook targets refused. A few rows are
seeded through the API: two managers' projects, a submitted request, a status report.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.auth.tokens import mint_dev_token
from pmo_stack.ports import free_port
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink

SECRET = "security-secret-0123456789abcdef0123456789"
ISSUER = "https://auth.pmo.example.com/"
AUDIENCE = "pmo-api"
MAX_BODY_BYTES = 1024 * 1024
ADMIN = "pmo-admin@example.com"
MANAGER = "ada.manager@example.com"
OTHER_MANAGER = "grace.manager@example.com"
VIEWER = "victor.viewer@example.com"
TODAY = datetime.now(UTC).date()


@dataclass
class World:
    """The running stack, its seeded rows and a way to mint tokens for it."""

    urls: dict[str, str]
    my_project: dict[str, Any]
    other_project: dict[str, Any]
    submitted_request: dict[str, Any]
    draft_request: dict[str, Any]
    gate: str
    deliverable: str
    secret: str = SECRET
    issuer: str = ISSUER
    audience: str = AUDIENCE

    def token(self, roles: list[str], email: str, **overrides: Any) -> str:
        """A token signed for this stack; `overrides` replace mint_dev_token's arguments."""
        arguments: dict[str, Any] = {
            "secret": SECRET,
            "sub": email,
            "email": email,
            "roles": roles,
            "issuer": ISSUER,
            "audience": AUDIENCE,
        }
        arguments.update(overrides)
        return mint_dev_token(**arguments)

    def auth(self, role: str | None, email: str, **overrides: Any) -> dict[str, str]:
        """Authorization header for one role (none when None)."""
        roles = [role] if role else []
        return {"Authorization": f"Bearer {self.token(roles, email, **overrides)}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.auth("pmo_admin", ADMIN)

    @property
    def manager(self) -> dict[str, str]:
        return self.auth("project_manager", MANAGER)

    @property
    def viewer(self) -> dict[str, str]:
        return self.auth("viewer", VIEWER)

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path


def project_body(name: str, manager: str, **changes: Any) -> dict[str, Any]:
    """A valid project registration."""
    return {
        "name": name,
        "manager": manager,
        "sponsor": ADMIN,
        "start_date": (TODAY - timedelta(days=60)).isoformat(),
        "end_date": (TODAY + timedelta(days=120)).isoformat(),
        "budget": 250000,
        **changes,
    }


def wait_for(probe: Callable[[], bool], *, within: float, what: str) -> None:
    """Poll `probe` until it holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g}s waiting for {what}")
        time.sleep(0.1)


def created(answer: httpx.Response) -> dict[str, Any]:
    """The body of a 201; fails with the answer otherwise."""
    assert answer.status_code == 201, f"{answer.status_code} {answer.text}"
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="session")
def security_stack(
    kafka_bootstrap: str,
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, str]]:
    """Migrate and start the four services (as tests/e2e does); their base URLs by name."""
    data_dir: Path = tmp_path_factory.mktemp("security-stack")
    smtp = SmtpSink("127.0.0.1", free_port())
    smtp.start()
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "PMO_AUTH_JWT_SECRET": SECRET,
        "PMO_AUTH_ISSUER": ISSUER,
        "PMO_AUTH_AUDIENCE": AUDIENCE,
        "PMO_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
        "PMO_SMTP_HOST": "127.0.0.1",
        "PMO_SMTP_PORT": str(smtp.port),
        "PMO_SMTP_FROM": "pmo@example.com",
        "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "false",
        "PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS": "example.com",
        "PMO_LOG_LEVEL": "WARNING",
    }
    for service in SERVICES:
        env[f"PMO_{service.upper()}_DATABASE_URL"] = make_database(f"sec_{service}")
    stack = Stack(data_dir=data_dir, env=env, ports={s: free_port() for s in SERVICES})
    try:
        stack.start(timeout=120)
    except Exception as exc:
        smtp.stop()
        pytest.fail(f"the stack did not start: {exc}", pytrace=False)
    yield stack.urls
    stack.stop()
    smtp.stop()


@pytest.fixture(scope="session")
def world(security_stack: dict[str, str]) -> World:
    """Seed two managers' projects (known to every service), requests and a status report."""
    urls = security_stack
    probe = World(urls, {}, {}, {}, {}, "", "")
    admin, manager = probe.admin, probe.manager
    with httpx.Client(timeout=10) as http:
        mine = created(
            http.post(
                f"{urls['intake']}/v1/projects", headers=admin, json=project_body("Apollo", MANAGER)
            )
        )
        theirs = created(
            http.post(
                f"{urls['intake']}/v1/projects",
                headers=admin,
                json=project_body("Borealis", OTHER_MANAGER),
            )
        )
        submitted = created(
            http.post(
                f"{urls['intake']}/v1/requests",
                headers=manager,
                json={"title": "CRM", "project": project_body("CRM", MANAGER)},
            )
        )
        answer = http.post(
            f"{urls['intake']}/v1/requests/{submitted['id']}/submit", headers=manager
        )
        assert answer.status_code == 200, answer.text
        submitted = answer.json()
        draft = created(
            http.post(
                f"{urls['intake']}/v1/requests",
                headers=manager,
                json={"title": "Data lake", "project": project_body("Data lake", MANAGER)},
            )
        )
        for service, path in (
            ("monitoring", "/v1/projects/{}/health"),
            ("standards", "/v1/projects/{}/compliance"),
        ):
            for known in (mine["id"], theirs["id"]):
                url = urls[service] + path.format(known)

                def known_at(url: str = url) -> bool:
                    return http.get(url, headers=admin).status_code == 200

                wait_for(
                    known_at,
                    within=60,
                    what=f"{url} to know the project",
                )
        # Notifications has no read route for projects: a manager's subscription to their own
        # project succeeds once it has heard of it.
        wait_for(
            lambda: (
                http.post(
                    f"{urls['notifications']}/v1/subscriptions",
                    headers=manager,
                    json={
                        "channel": "email",
                        "target": MANAGER,
                        "event_types": ["project.at_risk"],
                        "project_id": mine["id"],
                    },
                ).status_code
                == 201
            ),
            within=60,
            what="notifications to know the manager's project",
        )
        methodology = http.get(
            f"{urls['standards']}/v1/methodologies/waterfall", headers=admin
        ).json()
    return World(
        urls=urls,
        my_project=mine,
        other_project=theirs,
        submitted_request=submitted,
        draft_request=draft,
        gate=methodology["gates"][0]["key"],
        deliverable=methodology["gates"][0]["required_deliverables"][0],
    )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """An HTTP client for talking to the services."""
    with httpx.Client(timeout=30) as client:
        yield client
