"""The unit of work and the one way to write an event: what commits, what joins, what rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pmo_common.db.engine import create_session_factory
from pmo_common.db.unit_of_work import in_unit_of_work, unit_of_work
from pmo_common.events.catalog import PROJECT_CLOSED, PROJECT_CREATED
from pmo_common.events.payloads import ProjectClosed
from pmo_common.messaging.outbox import EventOutbox
from pmo_stack.testkit.direct_tables import engine_with_tables, messaging_with_table
from sqlalchemy import Column, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

tables, notes = messaging_with_table("notes", Column("text", String(50), primary_key=True))
outbox = EventOutbox(service="intake", tables=tables)
CLOSED = ProjectClosed(
    project_id="p-1", name="Apollo", closed_at=datetime(2026, 1, 2, tzinfo=UTC), version=2
)


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = await engine_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'uow.db'}", notes.metadata)
    yield create_session_factory(engine)
    await engine.dispose()


async def count(sessions: async_sessionmaker[AsyncSession], table: Table) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_outermost_unit_of_work_commits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        async with unit_of_work(session):
            await session.execute(insert(notes).values(text="kept"))
            assert in_unit_of_work(session)
        assert not in_unit_of_work(session)
    assert await count(sessions, notes) == 1


async def test_an_inner_unit_of_work_joins_and_leaves_the_commit_to_the_outer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(RuntimeError):
            async with unit_of_work(session):
                async with unit_of_work(session):
                    await session.execute(insert(notes).values(text="inner"))
                # Had the inner block committed, this failure could not take its row back.
                raise RuntimeError("the outer use case fails after the inner one")
    assert await count(sessions, notes) == 0


async def test_reads_made_before_the_unit_of_work_belong_to_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(notes)) == 0
        async with unit_of_work(session):
            await session.execute(insert(notes).values(text="after a read"))
    assert await count(sessions, notes) == 1


async def test_an_event_written_in_a_failed_unit_of_work_is_not_kept(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="refused"):
            async with unit_of_work(session):
                await outbox.enqueue(session, PROJECT_CLOSED, CLOSED, subject="p-1")
                raise ValueError("refused")
    assert await count(sessions, tables.outbox) == 0


async def test_enqueue_stores_the_envelope_keyed_by_subject(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, unit_of_work(session):
        event = await outbox.enqueue(session, PROJECT_CLOSED, CLOSED, subject="p-1")
    assert (event.type, event.source, event.subject) == ("project.closed", "/pmo/intake", "p-1")
    assert event.dataschema == "urn:pmo:events:project.closed:v1"
    assert event.data["name"] == "Apollo"
    async with sessions() as session:
        row = (await session.execute(select(tables.outbox))).one()
    assert (row.event_id, row.topic, row.message_key) == (event.id, "project.closed", "p-1")


async def test_enqueue_refuses_a_payload_of_another_event(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(TypeError, match=r"project\.created carries ProjectCreated"):
            await outbox.enqueue(session, PROJECT_CREATED, CLOSED, subject="p-1")  # type: ignore[misc]
