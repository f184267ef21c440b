"""The incremental roll-up answers what a from-scratch roll-up answers, on SQLite and PostgreSQL.

A seeded random sequence drives monitoring the way its producers do (projects created,
moved between portfolios, programmes and currencies, renamed, closed; status reports filed,
some long ago so that projects miss reports; a methodology with its own cadence), then checks:

- every rollup_partials row equals its recomputation from project_figures, and every
  project_figures row equals what the projection and the stored health say;
- GET /v1/portfolio/health (scopes, groupings, every page) equals the roll-up computed the way
  it was before partials existed: every project and every stored health loaded, each RAG
  brought up to today, summed by the domain's `roll_up`, sorted and cut in Python.

The same checks hold on a database filled at revision 0003 and then upgraded: migration
0004's backfill answers as the old roll-up did.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from pmo_common.db.engine import create_database_engine
from pmo_common.db.migrations import alembic_config
from pmo_common.messaging.event_applier import Outcome
from pmo_common.web.pagination import PageRequest, make_page
from pmo_monitoring.api.schemas import PortfolioHealthOut, ProjectRagOut
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db.health_repository import health_from_row
from pmo_monitoring.db.project_figures import bucket_of, figures_row
from pmo_monitoring.db.rollup_partials import sums_by_partial_key
from pmo_monitoring.db.tables import (
    methodology_thresholds,
    monitored_projects,
    project_figures,
    project_health,
    rollup_partials,
)
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS
from pmo_monitoring.domain.portfolio import SUMMED_FIGURES, ProjectHealthSnapshot, roll_up
from pmo_monitoring.domain.rag_as_of_today import rag_as_of_today
from pmo_monitoring.domain.reasons import rag_rank
from pmo_monitoring.domain.records import StoredHealth
from pmo_monitoring.handlers.health_assessment import thresholds_from
from pmo_monitoring.handlers.portfolio_queries import LISTED_METRICS, roll_up_record
from pmo_monitoring.migrate import MIGRATIONS, migrate
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import corrected

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
PORTFOLIOS = ["aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002", None]
PROGRAMMES = ["bbbbbbbb-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", None]
# Names that tie once casefolded, so the listing's tie-break is exercised too.
NAMES = ["Apollo", "apollo", "Zeus", "Ærø", "STRASSE", "Straße", "hermes", "Hermes 2"]
MANAGERS = ["ada@example.com", "Bob@Example.com", "carol@example.com"]
SCRUM = {
    "key": "scrum",
    "name": "Scrum",
    "version": 1,
    "phases": ["Sprint"],
    "report_cadence_days": 7,
    "thresholds": {"report_grace_days": 1},
}


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a PostgreSQL database (request.param)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'monitoring.db'}"
    make_database: Callable[[str], str] = request.getfixturevalue("make_database")
    return make_database("monitoring_rollup")


def settings_on(url: str, tmp_path: Path) -> MonitoringSettings:
    """Monitoring on `url`, Kafka and the overdue job off."""
    return MonitoringSettings(
        database_url=url, kafka_enabled=False, data_dir=tmp_path, overdue_check_seconds=0
    )


@pytest.fixture(params=BACKENDS)
async def monitoring_settings(request: pytest.FixtureRequest, tmp_path: Path) -> MonitoringSettings:
    """Monitoring on a fresh migrated SQLite file, or on a fresh migrated PostgreSQL database."""
    url = database_url(request, tmp_path)
    await asyncio.to_thread(migrate, url)
    return settings_on(url, tmp_path)


class Estate:
    """The projects the sequence has created: their latest payload and version."""

    def __init__(self, monitoring: Monitoring, chance: random.Random) -> None:
        self.monitoring = monitoring
        self.chance = chance
        self.projects: dict[str, dict[str, Any]] = {}

    def _groups(self) -> dict[str, Any]:
        return {
            "portfolio_id": self.chance.choice(PORTFOLIOS),
            "program_id": self.chance.choice(PROGRAMMES),
            "currency": self.chance.choice(["EUR", "EUR", "GBP"]),
        }

    async def create(self) -> None:
        start = TODAY - timedelta(days=self.chance.randint(-5, 200))
        data = self.monitoring.project_data(
            str(uuid.uuid4()),
            name=self.chance.choice(NAMES),
            manager=self.chance.choice(MANAGERS),
            methodology=self.chance.choice(["waterfall", "scrum", "kanban"]),
            start_date=start.isoformat(),
            end_date=(start + timedelta(days=self.chance.randint(60, 400))).isoformat(),
            budget=float(self.chance.randint(1, 500) * 1000),
            milestones=[],
            **self._groups(),
        )
        assert await self.monitoring.deliver("project.created", data) == Outcome.APPLIED
        self.projects[data["project_id"]] = data

    def _open(self) -> list[dict[str, Any]]:
        return [data for data in self.projects.values() if data["status"] != "closed"]

    async def report(self) -> None:
        started = [data for data in self._open() if date.fromisoformat(data["start_date"]) < TODAY]
        if not started:
            return
        data = self.chance.choice(started)
        start = date.fromisoformat(data["start_date"])
        as_of = TODAY - timedelta(days=self.chance.randint(0, min(40, (TODAY - start).days)))
        body = self.monitoring.report_body(
            as_of=as_of.isoformat(),
            percent_complete=round(self.chance.uniform(0, 100), 2),
            actual_cost=round(self.chance.uniform(0, data["budget"] * 1.3), 2),
            milestones=[],
            manager_rag=self.chance.choice(["green", "amber", "red", None]),
        )
        # Random figures and days go back as often as forward: each is filed as a correction.
        await self.monitoring.file_report(data["project_id"], corrected(body))

    async def move(self) -> None:
        if not self._open():
            return
        data = self.chance.choice(self._open())
        data.update(
            self._groups(),
            name=self.chance.choice(NAMES),
            manager=self.chance.choice(MANAGERS),
            version=data["version"] + 1,
        )
        assert await self.monitoring.deliver("project.updated", data) == Outcome.APPLIED

    async def close(self) -> None:
        if not self._open():
            return
        data = self.chance.choice(self._open())
        data.update(status="closed", version=data["version"] + 1)
        closed = {
            "project_id": data["project_id"],
            "name": data["name"],
            "closed_at": datetime.now(UTC).isoformat(),
            "version": data["version"],
        }
        assert await self.monitoring.deliver("project.closed", closed) == Outcome.APPLIED


async def run_sequence(monitoring: Monitoring, seed: int, steps: int) -> None:
    """A seeded random mix of creations, reports, moves and closures."""
    assert await monitoring.deliver("standards.methodology.published", SCRUM) == Outcome.APPLIED
    estate = Estate(monitoring, random.Random(seed))
    for _ in range(6):
        await estate.create()
    actions = [estate.create, estate.report, estate.report, estate.report, estate.move]
    for _ in range(steps):
        await estate.chance.choice([*actions, estate.close])()


async def stored_healths(session: AsyncSession) -> dict[str, StoredHealth]:
    """Every stored health, by project."""
    rows = (await session.execute(select(project_health))).mappings()
    return {row["project_id"]: health_from_row(row) for row in rows}


async def assert_figures_and_partials_are_consistent(session: AsyncSession) -> None:
    """project_figures follows the projection and health; partials follow project_figures."""
    healths = await stored_healths(session)
    expected = {
        project.id: figures_row(project, healths.get(project.id))
        for project in await projections.list_projects(session)
    }
    stored = {
        row["project_id"]: dict(row)
        for row in (await session.execute(select(project_figures))).mappings()
    }
    assert stored == expected

    def keyed(rows: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
        found = {}
        names = ("portfolio_key", "program_key", "currency", "closed", "bucket")
        for row in rows.mappings():
            values = dict(row)
            if values["project_count"]:  # a partial whose projects all left stays at zero
                key = tuple(values.pop(name) for name in names)
                # Sums of the same figures in another order may differ in the last bit;
                # the figures themselves have METRIC_DECIMALS places.
                found[key] = {
                    name: round(value, METRIC_DECIMALS) if isinstance(value, float) else value
                    for name, value in values.items()
                }
        return found

    kept = keyed(await session.execute(select(rollup_partials)))
    recomputed = keyed(await session.execute(sums_by_partial_key()))
    assert kept == recomputed


async def roll_up_from_scratch(
    session: AsyncSession,
    *,
    manager: str | None = None,
    portfolio_id: str | None = None,
    program_id: str | None = None,
    include_closed: bool = False,
    group_by: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """GET /v1/portfolio/health as computed before partials: everything loaded and summed."""
    projects = await projections.list_projects(
        session,
        manager=manager,
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=include_closed,
    )
    healths = await stored_healths(session)
    methodologies = await projections.all_methodologies(session)
    snapshots: list[ProjectHealthSnapshot] = []
    listed: list[dict[str, Any]] = []
    for project in projects:
        health = healths.get(project.id)
        last_report_at = health.last_report_at if health is not None else None
        stored_rag = health.rag if health is not None else None
        rag = (
            stored_rag or "unknown"
            if project.closed
            else rag_as_of_today(
                stored_rag,
                start_date=project.start_date,
                last_report_at=last_report_at,
                today=TODAY,
                thresholds=thresholds_from(methodologies.get(project.methodology)).thresholds,
            )
        )
        figures = {} if health is None else {name: health.metric(name) for name in SUMMED_FIGURES}
        snapshots.append(ProjectHealthSnapshot(project.id, rag, project.currency, **figures))
        listed.append(
            {
                "project_id": project.id,
                "name": project.name,
                "manager": project.manager,
                "portfolio_id": project.portfolio_id,
                "program_id": project.program_id,
                "status": project.status,
                "currency": project.currency,
                "rag": rag,
                "last_report_at": last_report_at,
                # Each listed project's own stored figures, as GET .../health answers them.
                **{
                    name: None if health is None else health.metric(name) for name in LISTED_METRICS
                },
            }
        )
    groups = None
    if group_by is not None:
        key_of = "portfolio_id" if group_by == "portfolio" else "program_id"
        members: dict[str | None, list[ProjectHealthSnapshot]] = {}
        for snapshot, project in zip(snapshots, projects, strict=True):
            members.setdefault(getattr(project, key_of), []).append(snapshot)
        groups = [
            {"group_by": group_by, "id": key, **roll_up_record(roll_up(group))}
            for key, group in members.items()
        ]
        groups.sort(key=lambda item: (-rag_rank(item["rag"]), item["id"] is None, item["id"] or ""))
    listed.sort(key=lambda item: (-rag_rank(item["rag"]), item["name"].casefold()))
    page = PageRequest(limit=limit, offset=offset)
    answer = PortfolioHealthOut.model_validate(
        {
            "portfolio_id": portfolio_id,
            "program_id": program_id,
            **roll_up_record(roll_up(snapshots)),
            "group_by": group_by,
            "groups": groups,
            "projects": make_page(
                [
                    ProjectRagOut.model_validate(item)
                    for item in listed[offset : offset + limit + 1]
                ],
                page,
            ),
        }
    )
    return answer.model_dump(mode="json")


VIEWS: list[dict[str, Any]] = [
    {},
    {"include_closed": True},
    {"group_by": "portfolio"},
    {"group_by": "program", "include_closed": True},
    {"portfolio_id": PORTFOLIOS[0], "group_by": "program"},
    {"program_id": PROGRAMMES[1]},
    {"portfolio_id": PORTFOLIOS[1], "program_id": PROGRAMMES[0], "include_closed": True},
]


async def assert_answers_match(monitoring: Monitoring) -> None:
    """Every view, every page (3 a page), and each manager's own view, as from scratch."""
    async with monitoring.app.state.runtime.sessions() as session:
        for view in VIEWS:
            total = (await roll_up_from_scratch(session, **view))["project_count"]
            for offset in range(0, total + 3, 3):
                answer = await monitoring.read_portfolio_health(**view, limit=3, offset=offset)
                assert answer == await roll_up_from_scratch(
                    session, **view, limit=3, offset=offset
                ), (view, offset)
        for manager in MANAGERS:
            headers = monitoring.auth_header("project_manager", manager.lower())
            answer = await monitoring.read_portfolio_health(headers, group_by="portfolio")
            assert answer == await roll_up_from_scratch(
                session, manager=manager, group_by="portfolio"
            )


@pytest.mark.parametrize("seed", [7, 2024])
async def test_incremental_roll_up_equals_a_roll_up_from_scratch(
    monitoring: Monitoring, seed: int
) -> None:
    await run_sequence(monitoring, seed, steps=70)

    async with monitoring.app.state.runtime.sessions() as session:
        await assert_figures_and_partials_are_consistent(session)
    await assert_answers_match(monitoring)


def stored_before_0004(chance: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Projected projects and stored healths as revision 0003 kept them."""
    projects: list[dict[str, Any]] = []
    healths: list[dict[str, Any]] = []
    for number in range(40):
        start = TODAY - timedelta(days=chance.randint(-5, 200))
        project_id = str(uuid.uuid4())
        projects.append(
            {
                "id": project_id,
                "name": chance.choice(NAMES),
                "manager": chance.choice(MANAGERS),
                "sponsor": None,
                "methodology": chance.choice(["waterfall", "scrum"]),
                "start_date": start,
                "end_date": start + timedelta(days=300),
                "budget": 100000.0,
                "currency": chance.choice(["EUR", "GBP"]),
                "milestones": [],
                "planned_value_profile": [],
                "portfolio_id": chance.choice(PORTFOLIOS),
                "program_id": chance.choice(PROGRAMMES),
                "status": "closed" if number % 7 == 0 else "active",
                "version": 1,
                "closed_at": None,
                "projected_at": datetime.now(UTC),
            }
        )
        if number % 5 == 0:
            continue  # never reported
        eac = None if number % 6 == 0 else round(chance.uniform(50000, 150000), 4)
        metrics = {
            "ev": round(chance.uniform(0, 100000), 4),
            "pv": round(chance.uniform(0, 100000), 4),
            "ac": round(chance.uniform(0, 120000), 4),
            "bac": 100000.0,
            "eac": eac,
            "cpi": None,
        }
        reported = max(start, TODAY - timedelta(days=chance.randint(0, 30)))
        healths.append(
            {
                "project_id": project_id,
                "rag": chance.choice(["green", "amber", "red", "unknown"]),
                "reasons": [],
                "metrics": metrics,
                "as_of": reported,
                "last_report_at": reported,
                "report_id": None,
                "assessed_at": datetime.now(UTC),
                "health_version": 1,
            }
        )
    return projects, healths


class TestAnUpgradedDatabase:
    """Filled at revision 0003, then upgraded: the backfill answers as the old roll-up did."""

    @pytest.fixture(params=BACKENDS)
    async def monitoring_settings(
        self, request: pytest.FixtureRequest, tmp_path: Path
    ) -> MonitoringSettings:
        url = database_url(request, tmp_path)
        await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), "0003")
        projects, healths = stored_before_0004(random.Random(11))
        engine = create_database_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(insert(monitored_projects), projects)
                await connection.execute(insert(project_health), healths)
                scrum = {**SCRUM, "received_at": datetime.now(UTC)}
                del scrum["phases"]
                await connection.execute(insert(methodology_thresholds), [scrum])
        finally:
            await engine.dispose()
        await asyncio.to_thread(migrate, url)
        return settings_on(url, tmp_path)

    async def test_it_answers_as_before(self, monitoring: Monitoring) -> None:
        async with monitoring.app.state.runtime.sessions() as session:
            assert len(await projections.list_projects(session)) == 40
            await assert_figures_and_partials_are_consistent(session)
        await assert_answers_match(monitoring)


@pytest.fixture
async def postgres_settings(
    make_database: Callable[[str], str], tmp_path: Path
) -> MonitoringSettings:
    url = make_database("monitoring_rollup_race")
    await asyncio.to_thread(migrate, url)
    return settings_on(url, tmp_path)


class TestConcurrentWriters:
    """Reports filed at once on PostgreSQL, each on its own connection, for projects counted
    in one partial row: every transaction's recomputation sees the others' committed rows."""

    @pytest.fixture
    async def monitoring_settings(
        self, postgres_settings: MonitoringSettings
    ) -> MonitoringSettings:
        return postgres_settings

    @pytest.mark.integration
    async def test_no_report_is_lost_from_a_shared_partial(self, monitoring: Monitoring) -> None:
        ids: list[str] = []
        while len(ids) < 8:  # projects that share portfolio, programme, currency and bucket
            candidate = str(uuid.uuid4())
            if bucket_of(candidate) == 0:
                ids.append(candidate)
        for project_id in ids:
            await monitoring.known_project(project_id=project_id, portfolio_id=PORTFOLIOS[0])
        chance = random.Random(5)
        for _round in range(4):
            bodies = [
                corrected(  # random figures may go back on the round before
                    monitoring.report_body(
                        percent_complete=round(chance.uniform(0, 100), 2),
                        actual_cost=round(chance.uniform(0, 100000), 2),
                    )
                )
                for _ in ids
            ]
            await asyncio.gather(
                *(
                    monitoring.file_report(project_id, body)
                    for project_id, body in zip(ids, bodies, strict=True)
                )
            )
            async with monitoring.app.state.runtime.sessions() as session:
                await assert_figures_and_partials_are_consistent(session)
