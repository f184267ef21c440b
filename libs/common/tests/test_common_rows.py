"""Rows in and out of records on a real SQLite table: UTC timestamps, overrides, pages, filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pmo_common.db import json_column, timestamp_column
from pmo_common.db.engine import create_session_factory
from pmo_common.db.rows import (
    as_utc,
    fetch_all,
    fetch_one,
    fetch_page,
    insert_or_replace,
    matching,
    record_from,
    update_by_id,
    values_of,
)
from pmo_common.web.pagination import PageRequest, make_page
from pmo_common.web.schemas import OutputModel
from pmo_stack.testkit.direct_tables import engine_with_tables
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(50), nullable=False),
    Column("rank", Integer, nullable=False),
    json_column("tags"),
    timestamp_column("created_at"),
    timestamp_column("closed_at", nullable=True),
)
START = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Note:
    """A record whose fields are the columns of `notes` (tags a tuple, stored as a JSON list)."""

    id: str
    owner: str
    rank: int
    tags: tuple[str, ...] = ("a", "b")
    created_at: datetime = START
    closed_at: datetime | None = None


def note(number: int, *, owner: str = "ada", closed_at: datetime | None = None) -> Note:
    created_at = START + timedelta(minutes=number)
    return Note(f"n-{number}", owner, number, created_at=created_at, closed_at=closed_at)


def note_from(row: RowMapping) -> Note:
    return record_from(Note, row, tags=tuple(row["tags"]))


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = await engine_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}", metadata)
    async with create_session_factory(engine)() as session:
        yield session
    await engine.dispose()


async def store(session: AsyncSession, *records: Note) -> None:
    for record in records:
        await session.execute(insert(notes).values(**values_of(record, tags=list(record.tags))))


def test_as_utc_makes_naive_values_utc_and_converts_aware_ones() -> None:
    assert as_utc(datetime(2026, 3, 1, 12, 30)) == START
    assert as_utc(datetime(2026, 3, 1, 12, 30)).tzinfo is UTC
    paris = START.astimezone(timezone(timedelta(hours=1)))
    assert as_utc(paris).tzinfo is UTC
    assert as_utc(paris) == START


async def test_records_read_back_carry_utc_timestamps(session: AsyncSession) -> None:
    await store(session, note(1, closed_at=START))
    # SQLite hands the timestamps back naive; the record holds them as aware UTC.
    raw = (await session.execute(select(notes.c.created_at))).scalar_one()
    assert raw.tzinfo is None
    found = await fetch_one(session, select(notes), note_from)
    assert found == note(1, closed_at=START)
    assert found is not None
    assert found.created_at.tzinfo is UTC
    assert found.closed_at is not None
    assert found.closed_at.tzinfo is UTC


async def test_converted_values_override_the_columns(session: AsyncSession) -> None:
    await store(session, note(1))
    row = (await session.execute(select(notes))).mappings().one()
    assert isinstance(row["tags"], list)
    assert record_from(Note, row, tags=tuple(row["tags"])).tags == ("a", "b")
    assert record_from(Note, row, owner="grace", tags=()).owner == "grace"
    # A plain mapping a repository built reads the same way.
    assert record_from(Note, {**row, "rank": 9}, tags=()).rank == 9


def test_values_of_gives_each_field_unless_converted() -> None:
    values = values_of(note(1), tags=["a", "b"])
    assert values == {
        "id": "n-1",
        "owner": "ada",
        "rank": 1,
        "tags": ["a", "b"],
        "created_at": START + timedelta(minutes=1),
        "closed_at": None,
    }


async def test_a_record_type_reads_every_field_from_its_column(session: AsyncSession) -> None:
    @dataclass(frozen=True, slots=True)
    class Owner:
        owner: str
        created_at: datetime

    await store(session, note(1), note(2))
    owners = await fetch_all(session, select(notes).order_by(notes.c.rank), Owner)
    assert owners == [
        Owner("ada", START + timedelta(minutes=1)),
        Owner("ada", START + timedelta(minutes=2)),
    ]
    assert await fetch_one(session, select(notes).where(notes.c.id == "none"), Owner) is None


async def test_a_page_reads_limit_plus_one_so_make_page_tells_more_follow(
    session: AsyncSession,
) -> None:
    await store(session, *(note(number) for number in range(1, 6)))
    query = select(notes).order_by(notes.c.rank)
    first = await fetch_page(session, query, note_from, PageRequest(limit=2, offset=0))
    assert [record.rank for record in first] == [1, 2, 3]
    assert make_page(first, PageRequest(limit=2, offset=0)).next_offset == 2
    last = await fetch_page(session, query, note_from, PageRequest(limit=2, offset=4))
    assert [record.rank for record in last] == [5]
    assert make_page(last, PageRequest(limit=2, offset=4)).next_offset is None


async def test_matching_skips_the_filters_that_are_none(session: AsyncSession) -> None:
    await store(session, note(1), note(2, owner="grace"), note(3, owner="grace"))

    async def ranks(owner: str | None, rank: int | None) -> list[int]:
        query = matching(select(notes), (notes.c.owner, owner), (notes.c.rank, rank))
        return [record.rank for record in await fetch_all(session, query, note_from)]

    assert await ranks(None, None) == [1, 2, 3]
    assert await ranks("grace", None) == [2, 3]
    assert await ranks("grace", 3) == [3]
    assert await ranks(None, 1) == [1]


async def test_insert_or_replace_and_update_by_id(session: AsyncSession) -> None:
    first = note(1)
    row = notes.c.id == first.id
    await insert_or_replace(session, notes, values_of(first, tags=[]), row=row, exists=False)
    await insert_or_replace(session, notes, values_of(first, rank=7, tags=[]), row=row, exists=True)
    assert [r.rank for r in await fetch_all(session, select(notes), note_from)] == [7]
    # The id and the kept creation time stay whatever the record says.
    moved = values_of(first, owner="grace", tags=["x"], created_at=START - timedelta(days=1))
    await update_by_id(session, notes, moved)
    stored = await fetch_one(session, select(notes), note_from)
    assert stored is not None
    assert (stored.owner, stored.tags, stored.created_at) == ("grace", ("x",), first.created_at)


class NoteOut(OutputModel):
    """A note as the API answers it."""

    id: str
    created_at: datetime


async def test_output_models_read_records_by_attribute() -> None:
    async def created() -> Note:
        return note(1)

    assert (await NoteOut.of_result(created())).id == "n-1"
    page = NoteOut.page_of([note(1), note(2)], PageRequest(limit=1, offset=0))
    assert [item.id for item in page.items] == ["n-1"]
    assert page.next_offset == 1
    assert NoteOut.model_json_schema()["title"] == "NoteOut"
