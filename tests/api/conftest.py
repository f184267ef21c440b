"""The four services as real uvicorn processes on real Kafka and PostgreSQL, seeded, for fuzzing.

The stack is the test kit's (`start_stack`, as tests/e2e and tests/security start it), with
issuer and audience checks on, seeded through the public API so that reads hit real rows. The
fuzz results are gathered in a `FuzzReport` kept in the pytest config's stash and printed as a
table at the end of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import RunningStack, StackStarter, wait_until
from pmo_stack.testkit.project_data import project_body, subscription_body
from pmo_stack.testkit.seeding import Seeder

ISSUER = "https://auth.pmo.example.com/"
AUDIENCE = "pmo-api"
ADMIN_EMAIL = "pmo-admin@example.com"
MANAGER_EMAIL = "ada.manager@example.com"
OTHER_MANAGER_EMAIL = "grace.manager@example.com"
TODAY = datetime.now(UTC).date()
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


FUZZ_ENVIRONMENT = {
    # Fuzzed webhook targets are parsed, never resolved or called (no DNS in the loop).
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PMO_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS": "1",
}


@pytest.fixture(scope="session")
def fuzz_stack(start_stack: StackStarter) -> RunningStack:
    """The four services (the test kit's stack), checking issuer and audience."""
    return start_stack("api", FUZZ_ENVIRONMENT, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="session")
def seeded(fuzz_stack: RunningStack) -> Seeded:
    """Portfolios, programmes, projects (one the manager's, one not), requests, a status report,
    a deliverable, a subscription and a silence, written through the API."""
    with httpx.Client(timeout=10) as http:
        seed = Seeder(fuzz_stack, http, ADMIN_EMAIL, MANAGER_EMAIL)
        portfolio = seed.create(
            "intake", "/v1/portfolios", {"name": "Digital", "owner": ADMIN_EMAIL}
        )
        program = seed.create(
            "intake",
            "/v1/programs",
            {"name": "ERP", "owner": ADMIN_EMAIL, "portfolio_id": portfolio["id"]},
        )

        def project(name: str, manager_email: str) -> dict[str, Any]:
            return project_body(
                name,
                manager_email,
                sponsor=ADMIN_EMAIL,
                milestones=[
                    {"name": "Design", "due_date": (TODAY + timedelta(days=10)).isoformat()}
                ],
                portfolio_id=portfolio["id"],
                program_id=program["id"],
            )

        mine = seed.project(project("Apollo", MANAGER_EMAIL))
        theirs = seed.project(project("Borealis", OTHER_MANAGER_EMAIL))
        draft = seed.request("Data lake", project("Data lake", MANAGER_EMAIL), submit=False)
        submitted = seed.request("CRM", project("CRM", MANAGER_EMAIL), submit=True)
        seed.wait_until_known(mine["id"], theirs["id"])
        report = seed.create(
            "monitoring",
            f"/v1/projects/{mine['id']}/status-reports",
            {"as_of": TODAY.isoformat(), "percent_complete": 20, "actual_cost": 100000},
            as_manager=True,
        )
        gate, deliverable = seed.first_gate()
        seed.create(
            "standards",
            f"/v1/projects/{mine['id']}/deliverables",
            {"name": deliverable, "gate": gate, "url": "https://docs.example.com/c"},
            as_manager=True,
        )
        practice = seed.create(
            "standards",
            "/v1/practices",
            {"title": "Weekly risk review", "body": "Review the RAID log weekly."},
        )
        # Notifications hears of projects through Kafka; a manager's subscription needs that.
        seed.subscribe_once_known(subscription_body("email", MANAGER_EMAIL, mine["id"]))
        subscriptions = http.get(
            fuzz_stack.url("notifications", "/v1/subscriptions"), headers=seed.manager
        ).json()
        silence = seed.create(
            "notifications",
            "/v1/silences",
            {
                "project_id": theirs["id"],
                "reason": "Planned migration",
                "ends_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            },
        )
        alerts: list[str] = []

        def alerts_open() -> bool:
            answer = http.get(fuzz_stack.url("notifications", "/v1/alerts"), headers=seed.admin)
            alerts[:] = [alert["id"] for alert in answer.json()["items"]]
            return bool(alerts)

        wait_until(alerts_open, within=30, what="the at-risk alert of the red status report")
    return Seeded(
        urls=fuzz_stack.urls,
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
def role_headers(fuzz_stack: RunningStack) -> dict[str, dict[str, str]]:
    """The Authorization header of the PMO admin and of the project manager."""
    return {role: fuzz_stack.tokens.headers(role, email) for role, email in ROLES.items()}
