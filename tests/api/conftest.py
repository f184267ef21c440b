"""The four services as real uvicorn processes on real Kafka and PostgreSQL, seeded, for fuzzing.

The stack is started once per session the way tests/e2e starts it (`pmo_stack.services.Stack`,
the test kit's `kafka_bootstrap` and `make_database`), with issuer and audience checks on, then
seeded through the public API so that reads hit real rows. The fuzz results are gathered in a
`FuzzReport` kept in the pytest config's stash and printed as a table at the end of the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.auth.tokens import mint_dev_token
from pmo_stack.ports import free_port
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink

SECRET = "api-fuzz-secret-0123456789abcdef0123456789"
ISSUER = "https://auth.pmo.example.com/"
AUDIENCE = "pmo-api"
ADMIN_EMAIL = "pmo-admin@example.com"
MANAGER_EMAIL = "ada.manager@example.com"
OTHER_MANAGER_EMAIL = "grace.manager@example.com"
TODAY = datetime.now(UTC).date()


def mint(role: str | None, email: str) -> str:
    """A token for `role` (none when None) signed with the stack's secret, issuer and audience."""
    return mint_dev_token(
        secret=SECRET,
        sub=email,
        email=email,
        roles=[role] if role else [],
        issuer=ISSUER,
        audience=AUDIENCE,
    )


ROLES: dict[str, str] = {"pmo_admin": ADMIN_EMAIL, "project_manager": MANAGER_EMAIL}


@dataclass
class Seeded:
    """Ids of the rows written before fuzzing, by the path parameter names that reach them."""

    urls: dict[str, str]
    path_values: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FuzzLine:
    """One service and role: what was exercised and what broke."""

    operations: int = 0
    cases: int = 0
    stateful_steps: int = 0
    failures: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class FuzzReport:
    """Every (service, role) line of the run, filled by the tests, printed by the summary hook."""

    lines: dict[tuple[str, str], FuzzLine] = field(default_factory=dict)

    def line(self, service: str, role: str) -> FuzzLine:
        return self.lines.setdefault((service, role), FuzzLine())


REPORT_KEY = pytest.StashKey[FuzzReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[REPORT_KEY] = FuzzReport()


@pytest.fixture(scope="session")
def fuzz_report(pytestconfig: pytest.Config) -> FuzzReport:
    """Where the fuzz tests record their counts and failures."""
    return pytestconfig.stash[REPORT_KEY]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(REPORT_KEY, None)
    if report is None or not report.lines:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "schemathesis: operations, cases and failures per service")
    write(
        f"{'service':<14} {'role':<16} {'operations':>10} {'cases':>7} {'stateful':>9} "
        f"{'failures':>9} {'seconds':>8}"
    )
    for (service, role), line in sorted(report.lines.items()):
        failed = sum(len(curls) for curls in line.failures.values())
        write(
            f"{service:<14} {role:<16} {line.operations:>10} {line.cases:>7} "
            f"{line.stateful_steps:>9} {failed:>9} {line.seconds:>8.1f}"
        )
    for (service, role), line in sorted(report.lines.items()):
        for (operation, check), curls in sorted(line.failures.items()):
            write(f"- {service} as {role}: {operation} -- {check} ({len(curls)} case(s))")
            write(f"    {curls[0]}")


def wait_for(probe: Callable[[], bool], *, within: float, what: str) -> None:
    """Poll `probe` until it holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def fuzz_stack(
    kafka_bootstrap: str,
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, str]]:
    """Migrate and start the four services (as tests/e2e does); their base URLs by name."""
    data_dir: Path = tmp_path_factory.mktemp("api-stack")
    smtp = SmtpSink("127.0.0.1", free_port())
    smtp.start()
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "PMO_AUTH_JWT_SECRET": SECRET,
        "PMO_AUTH_ISSUER": ISSUER,
        "PMO_AUTH_AUDIENCE": AUDIENCE,
        "PMO_SMTP_HOST": "127.0.0.1",
        "PMO_SMTP_PORT": str(smtp.port),
        "PMO_SMTP_FROM": "pmo@example.com",
        # Fuzzed webhook targets are parsed, never resolved or called (no DNS in the loop).
        "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
        "PMO_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS": "1",
        "PMO_LOG_LEVEL": "WARNING",
    }
    for service in SERVICES:
        env[f"PMO_{service.upper()}_DATABASE_URL"] = make_database(f"api_{service}")
    stack = Stack(data_dir=data_dir, env=env, ports={s: free_port() for s in SERVICES})
    try:
        stack.start(timeout=120)
    except Exception as exc:
        smtp.stop()
        pytest.fail(f"the stack did not start: {exc}", pytrace=False)
    yield stack.urls
    stack.stop()
    smtp.stop()


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, f"seeding failed: {answer.status_code} {answer.text}"
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="session")
def seeded(fuzz_stack: dict[str, str]) -> Seeded:
    """Portfolios, programmes, projects (one the manager's, one not), requests, a status report,
    a deliverable, a subscription and a silence, written through the API."""
    admin = {"Authorization": f"Bearer {mint('pmo_admin', ADMIN_EMAIL)}"}
    manager = {"Authorization": f"Bearer {mint('project_manager', MANAGER_EMAIL)}"}
    intake, monitoring = fuzz_stack["intake"], fuzz_stack["monitoring"]
    standards, notifications = fuzz_stack["standards"], fuzz_stack["notifications"]
    with httpx.Client(timeout=10) as http:
        portfolio = _created(
            http.post(
                f"{intake}/v1/portfolios",
                headers=admin,
                json={"name": "Digital", "owner": ADMIN_EMAIL},
            )
        )
        program = _created(
            http.post(
                f"{intake}/v1/programs",
                headers=admin,
                json={"name": "ERP", "owner": ADMIN_EMAIL, "portfolio_id": portfolio["id"]},
            )
        )

        def project(name: str, manager_email: str) -> dict[str, Any]:
            return {
                "name": name,
                "manager": manager_email,
                "sponsor": ADMIN_EMAIL,
                "start_date": (TODAY - timedelta(days=60)).isoformat(),
                "end_date": (TODAY + timedelta(days=120)).isoformat(),
                "budget": 250000,
                "milestones": [
                    {"name": "Design", "due_date": (TODAY + timedelta(days=10)).isoformat()}
                ],
                "portfolio_id": portfolio["id"],
                "program_id": program["id"],
            }

        mine = _created(
            http.post(f"{intake}/v1/projects", headers=admin, json=project("Apollo", MANAGER_EMAIL))
        )
        theirs = _created(
            http.post(
                f"{intake}/v1/projects",
                headers=admin,
                json=project("Borealis", OTHER_MANAGER_EMAIL),
            )
        )
        draft = _created(
            http.post(
                f"{intake}/v1/requests",
                headers=manager,
                json={"title": "Data lake", "project": project("Data lake", MANAGER_EMAIL)},
            )
        )
        submitted = _created(
            http.post(
                f"{intake}/v1/requests",
                headers=manager,
                json={"title": "CRM", "project": project("CRM", MANAGER_EMAIL)},
            )
        )
        answer = http.post(f"{intake}/v1/requests/{submitted['id']}/submit", headers=manager)
        assert answer.status_code == 200, answer.text

        for base, path in (
            (monitoring, "/v1/projects/{}/health"),
            (standards, "/v1/projects/{}/compliance"),
        ):
            for known in (mine["id"], theirs["id"]):
                url = base + path.format(known)

                def known_at(url: str = url) -> bool:
                    return http.get(url, headers=admin).status_code == 200

                wait_for(
                    known_at,
                    within=60,
                    what=f"{url} to know the project",
                )
        report = _created(
            http.post(
                f"{monitoring}/v1/projects/{mine['id']}/status-reports",
                headers=manager,
                json={"as_of": TODAY.isoformat(), "percent_complete": 20, "actual_cost": 100000},
            )
        )
        methodology = http.get(f"{standards}/v1/methodologies/waterfall", headers=admin).json()
        gate = methodology["gates"][0]["key"]
        deliverable = methodology["gates"][0]["required_deliverables"][0]
        _created(
            http.post(
                f"{standards}/v1/projects/{mine['id']}/deliverables",
                headers=manager,
                json={"name": deliverable, "gate": gate, "url": "https://docs.example.com/c"},
            )
        )
        practice = _created(
            http.post(
                f"{standards}/v1/practices",
                headers=admin,
                json={"title": "Weekly risk review", "body": "Review the RAID log weekly."},
            )
        )
        # Notifications hears of projects through Kafka; a manager's subscription needs that.
        wait_for(
            lambda: (
                http.post(
                    f"{notifications}/v1/subscriptions",
                    headers=manager,
                    json={
                        "channel": "email",
                        "target": MANAGER_EMAIL,
                        "event_types": ["project.at_risk"],
                        "project_id": mine["id"],
                    },
                ).status_code
                == 201
            ),
            within=60,
            what="notifications to know the manager's project",
        )
        subscriptions = http.get(f"{notifications}/v1/subscriptions", headers=manager).json()
        silence = _created(
            http.post(
                f"{notifications}/v1/silences",
                headers=admin,
                json={
                    "project_id": theirs["id"],
                    "reason": "Planned migration",
                    "ends_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                },
            )
        )
        alerts: list[str] = []

        def alerts_open() -> bool:
            answer = http.get(f"{notifications}/v1/alerts", headers=admin)
            alerts[:] = [alert["id"] for alert in answer.json()["items"]]
            return bool(alerts)

        wait_for(
            alerts_open,
            within=30,
            what="the at-risk alert of the red status report",
        )
    return Seeded(
        urls=fuzz_stack,
        path_values={
            "project_id": [mine["id"], theirs["id"]],
            "request_id": [draft["id"], submitted["id"]],
            "report_id": [report["id"]],
            "key": ["waterfall", "scrum"],
            "gate": [gate],
            "practice_id": [practice["id"]],
            "subscription_id": [s["id"] for s in subscriptions["items"]],
            "silence_id": [silence["id"]],
            "alert_id": alerts[:2],
        },
    )


@pytest.fixture(scope="session")
def role_headers() -> dict[str, dict[str, str]]:
    """The Authorization header of the PMO admin and of the project manager."""
    return {role: {"Authorization": f"Bearer {mint(role, email)}"} for role, email in ROLES.items()}
