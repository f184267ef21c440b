"""Storing a project's health answers the RAG and reasons it replaced and the new version, in
one upsert.

On SQLite and PostgreSQL: the first health of a project replaces nothing (version 1), each one
after replaces the one before. On PostgreSQL a second writer blocked on the row by the first
gets, once the first commits, the RAG and reasons the first stored (read by the statement that
writes, not before it), so two writers never decide their transitions, nor the early-warning
episodes they start, against the same health. The columns the upsert keeps the replaced RAG
and reasons in come with migrations 0005 and 0006, checked with the other project_health
migrations in test_monitoring_health_migrations.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.domain.model import Rag
from pmo_monitoring.domain.records import RecordedHealth, StoredHealth
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit.postgres_locks import wait_until_blocked
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

PROJECT = "p-1"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


def reasons_of(day: int) -> tuple[dict[str, Any], ...]:
    """The reasons of the health of day `day`: one early warning naming its day."""
    return ({"code": "optimism_warning", "metric": "tcpi", "message": f"day {day}"},)


def health(rag: Rag, day: int) -> StoredHealth:
    """A stored health of PROJECT as of day `day` of November 2026."""
    as_of = date(2026, 11, day)
    return StoredHealth(
        project_id=PROJECT,
        rag=rag,
        reasons=reasons_of(day),
        metrics={},
        as_of=as_of,
        last_report_at=as_of,
        report_id=f"r-{day}",
        assessed_at=datetime.now(UTC),
    )


async def replace(
    sessions: async_sessionmaker[AsyncSession], stored: StoredHealth
) -> RecordedHealth:
    """Store a health in its own committed transaction; what the upsert answered."""
    async with sessions() as session, session.begin():
        return await healths.replace_health(session, health=stored)


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh migrated SQLite file, or a fresh migrated PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'monitoring.db'}"
    else:
        make_database: Callable[[str], str] = request.getfixturevalue("make_database")
        url = make_database("monitoring_health_upsert")
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    yield engine
    await engine.dispose()


async def test_each_health_answers_the_rag_it_replaced_and_its_version(
    engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(engine)

    rags: tuple[Rag, ...] = ("green", "red", "red", "amber")
    answers = [await replace(sessions, health(rag, day)) for day, rag in enumerate(rags, start=1)]

    assert [(a.previous_rag, a.version) for a in answers] == [
        (None, 1),
        ("green", 2),
        ("red", 3),
        ("red", 4),
    ]
    assert [a.previous_reasons for a in answers] == [(), *map(reasons_of, (1, 2, 3))]
    async with engine.connect() as connection:
        stored = await connection.execute(text("SELECT rag, previous_rag FROM project_health"))
        assert [tuple(row) for row in stored] == [("amber", "red")]


@pytest.mark.integration
async def test_a_writer_waiting_on_the_row_gets_the_rag_the_first_one_stored(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("monitoring_health_race")
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    sessions = create_session_factory(engine)
    try:
        await replace(sessions, health("green", 1))
        async with sessions() as first, first.begin():
            recorded = await healths.replace_health(first, health=health("red", 2))
            assert (recorded.previous_rag, recorded.version) == ("green", 2)
            second = asyncio.create_task(replace(sessions, health("amber", 3)))
            await wait_until_blocked(engine)
        # Read before the first committed, the second would have replaced "green" as well.
        got = await second
        assert (got.previous_rag, got.previous_reasons, got.version) == ("red", reasons_of(2), 3)
    finally:
        await engine.dispose()
