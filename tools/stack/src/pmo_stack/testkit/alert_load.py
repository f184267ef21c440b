"""A bounded load of projects slipping into the red (and some recovering), through the public API.

Every project is a 200-day project halfway through with a budget of 100,000; one status report
with a CPI of 0.6 turns it red, so monitoring publishes `project.at_risk` and notifications opens
an alert, e-mails the manager and calls the webhooks subscribed. Every `recover_every`-th project
later files a healthy report (same `as_of`, so it replaces the red one): `project.recovered`
resolves the alert. Each project has a manager of its own, so e-mails can be counted per project.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from pmo_stack.testkit.answers import created
from pmo_stack.testkit.project_data import halfway_project_body
from pmo_stack.testkit.running_stack import RunningStack
from pmo_stack.testkit.waiting import eventually

ADMIN_EMAIL = "pmo-admin@example.com"
PARALLEL_REQUESTS = 8
WAIT_SECONDS = 120.0  # bound on every wait for the services to catch up
AT_RISK_KIND = "at_risk"


@dataclass
class LoadedProject:
    """One project of a scenario's load and what was done to it."""

    index: int
    name: str
    manager: str
    recovers: bool
    id: str = ""
    red_at: datetime | None = None
    green_at: datetime | None = None


def red_report(as_of: str) -> dict[str, Any]:
    """A report that makes a halfway project red: 30 % done for 50,000 spent (CPI 0.6)."""
    return {"as_of": as_of, "percent_complete": 30, "actual_cost": 50000, "summary": "Slipping"}


def green_report(as_of: str) -> dict[str, Any]:
    """A report that makes it green again: 55 % done for 52,000 spent (CPI 1.06, SPI 1.1); no
    figure lower than the red report's, which a same-day report must not undercut."""
    return {"as_of": as_of, "percent_complete": 55, "actual_cost": 52000, "summary": "On track"}


async def in_parallel(
    items: Sequence[LoadedProject], action: Callable[[LoadedProject], Awaitable[None]]
) -> None:
    """Run `action` on every item, PARALLEL_REQUESTS at a time (a busy but bounded client)."""
    gate = asyncio.Semaphore(PARALLEL_REQUESTS)

    async def one(item: LoadedProject) -> None:
        async with gate:
            await action(item)

    await asyncio.gather(*(one(item) for item in items))


@dataclass
class AtRiskLoad:
    """The projects of one fault scenario, and the API calls that move them.

    `urls` starts as the stack's and may be pointed at a replica while a process is down.
    """

    stack: RunningStack
    http: httpx.AsyncClient
    scenario: str
    count: int = 32
    recover_every: int = 4
    diagnose: Callable[[], Awaitable[str]] | None = None
    """What to say, besides the projects still waited for, when a wait times out."""
    projects: list[LoadedProject] = field(init=False)
    urls: dict[str, str] = field(init=False)
    as_of: str = field(init=False)

    def __post_init__(self) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", self.scenario.lower()).strip("-")
        self.urls = dict(self.stack.urls)
        self.as_of = datetime.now(UTC).date().isoformat()
        self.projects = [
            LoadedProject(
                index=index,
                name=f"Fault {self.scenario} #{index}",
                manager=f"pm-{slug}-{index}@example.com",
                recovers=index % self.recover_every == self.recover_every - 1,
            )
            for index in range(self.count)
        ]

    @property
    def admin(self) -> dict[str, str]:
        return self.stack.tokens.headers("pmo_admin", ADMIN_EMAIL)

    def halves(self) -> tuple[list[LoadedProject], list[LoadedProject]]:
        """The first and second half of the projects (each with its share of recoveries)."""
        middle = self.count // 2
        return self.projects[:middle], self.projects[middle:]

    @property
    def ids(self) -> set[str]:
        """Ids of the projects registered so far."""
        return {project.id for project in self.projects if project.id}

    @property
    def recovering(self) -> list[LoadedProject]:
        """The projects that file a healthy report after their red one."""
        return [project for project in self.projects if project.recovers]

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path

    async def register(self, projects: Sequence[LoadedProject]) -> None:
        """Register the projects with intake and wait until monitoring has heard of each."""
        await self.create(projects)
        await self.until_known(projects)

    async def create(self, projects: Sequence[LoadedProject]) -> None:
        """Register the projects with intake (its outbox then publishes `project.created`)."""

        async def create_one(project: LoadedProject) -> None:
            body = halfway_project_body(project.name, project.manager)
            answer = await self.http.post(
                self.url("intake", "/v1/projects"), headers=self.admin, json=body
            )
            project.id = created(answer)["id"]

        await in_parallel(projects, create_one)

    async def until_known(self, projects: Sequence[LoadedProject]) -> None:
        """Wait until monitoring has heard of each project (and takes its status reports)."""
        await self._until_all(
            projects,
            self._known_to_monitoring,
            what=f"monitoring to hear of the {len(projects)} projects of {self.scenario}",
        )

    async def turn_red(self, projects: Sequence[LoadedProject]) -> None:
        """File the red report of each project (as its manager)."""
        await in_parallel(projects, self._file_red)

    async def recover(self, projects: Sequence[LoadedProject]) -> None:
        """For the recovering ones among `projects`: once notifications has the project's at-risk
        alert (the manager has been told), file the healthy report."""
        recovering = [project for project in projects if project.recovers]
        await self._until_all(
            recovering,
            self._has_at_risk_alert,
            what=f"notifications to open the at-risk alerts of {self.scenario}",
        )
        await self.turn_green(recovering)

    async def first_half_through(self) -> list[LoadedProject]:
        """Register every project, then take the first half red and (the recovering ones) back
        to green: the part of the load done before a fault. The second half, still to file."""
        first, second = self.halves()
        await self.register(self.projects)
        await self.turn_red(first)
        await self.recover(first)
        return second

    async def turn_green(self, projects: Sequence[LoadedProject]) -> None:
        """File the healthy report of each project at once (whatever notifications knows)."""
        await in_parallel(projects, self._file_green)

    async def _file_red(self, project: LoadedProject) -> None:
        project.red_at = datetime.now(UTC)
        await self._file(project, red_report(self.as_of))

    async def _file_green(self, project: LoadedProject) -> None:
        project.green_at = datetime.now(UTC)
        await self._file(project, green_report(self.as_of))

    async def _file(self, project: LoadedProject, report: dict[str, Any]) -> None:
        answer = await self.http.post(
            self.url("monitoring", f"/v1/projects/{project.id}/status-reports"),
            headers=self.stack.tokens.headers("project_manager", project.manager),
            json=report,
        )
        created(answer)

    async def _known_to_monitoring(self, project: LoadedProject) -> bool:
        answer = await self.http.get(
            self.url("monitoring", f"/v1/projects/{project.id}/health"), headers=self.admin
        )
        return answer.status_code == 200

    async def _has_at_risk_alert(self, project: LoadedProject) -> bool:
        answer = await self.http.get(
            self.url("notifications", "/v1/alerts"),
            headers=self.admin,
            params={"project_id": project.id},
        )
        if answer.status_code != 200:
            return False
        return any(alert["kind"] == AT_RISK_KIND for alert in answer.json()["items"])

    async def _until_all(
        self,
        projects: Sequence[LoadedProject],
        holds: Callable[[LoadedProject], Awaitable[bool]],
        *,
        what: str,
    ) -> None:
        waiting = list(projects)

        async def all_hold() -> bool:
            nonlocal waiting
            answers = await asyncio.gather(*(holds(project) for project in waiting))
            waiting = [project for project, ok in zip(waiting, answers, strict=True) if not ok]
            return not waiting

        try:
            await eventually(all_hold, within=WAIT_SECONDS, what=what, interval=0.2)
        except AssertionError as exc:
            names = ", ".join(project.name for project in waiting[:5])
            left = f"{len(waiting)} of {len(projects)} not yet ({names})"
            if self.diagnose is not None:
                left += "\n  " + await self.diagnose()
            raise AssertionError(f"{exc}: {left}") from exc
