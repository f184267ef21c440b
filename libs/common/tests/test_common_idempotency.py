"""Idempotency keys: a retried create replays the first answer; a reused key is refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pmo_common.auth.principal import Principal
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.outbox import enqueue_event
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.problems import ProblemException
from pmo_common.web.idempotency import fingerprint, remember, replay
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

ANN = Principal("ann", "ann@example.org", frozenset({"project_manager"}))
BOB = Principal("bob", "bob@example.org", frozenset({"project_manager"}))
BODY = {"name": "Apollo", "budget": 1000}


@pytest.fixture
async def database(
    tmp_path: Path,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], MessagingTables]]:
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'idem.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield create_session_factory(engine), tables
    await engine.dispose()


def test_fingerprints_ignore_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


async def test_a_remembered_response_is_replayed(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    request_hash = fingerprint(BODY)
    async with sessions() as session, session.begin():
        assert await replay(session, tables, ANN, "key-1", request_hash) is None
        await remember(session, tables, ANN, "key-1", request_hash, 201, {"id": "p-1", **BODY})
    async with sessions() as session:
        response = await replay(session, tables, ANN, "key-1", request_hash)
    assert response is not None
    assert response.status_code == 201
    assert response.headers["Idempotent-Replayed"] == "true"
    assert json.loads(bytes(response.body)) == {"id": "p-1", **BODY}


async def test_a_key_reused_with_another_body_is_refused(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    async with sessions() as session, session.begin():
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
    async with sessions() as session:
        with pytest.raises(ProblemException) as raised:
            await replay(session, tables, ANN, "key-1", fingerprint({**BODY, "budget": 5}))
    assert raised.value.status == 422
    assert raised.value.errors == [
        {"field": "header.Idempotency-Key", "reason": "reused with another body"}
    ]


async def test_keys_belong_to_their_principal(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    async with sessions() as session, session.begin():
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
    async with sessions() as session:
        assert await replay(session, tables, BOB, "key-1", fingerprint(BODY)) is None


async def test_without_a_key_nothing_is_stored_or_replayed(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    async with sessions() as session, session.begin():
        await remember(session, tables, ANN, None, fingerprint(BODY), 201, {"id": "p-1"})
        assert await replay(session, tables, ANN, None, fingerprint(BODY)) is None
    async with sessions() as session:
        rows = (await session.execute(tables.idempotency_keys.select())).all()
    assert rows == []


async def test_a_rolled_back_create_leaves_no_key(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    async with sessions() as session:
        event = CloudEvent(source="/pmo/intake", type="project.created", subject="p-1", data={})
        await enqueue_event(session, tables, event)
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
        await session.rollback()
    async with sessions() as session:
        assert await replay(session, tables, ANN, "key-1", fingerprint(BODY)) is None
        assert (await session.execute(tables.outbox.select())).all() == []


async def test_a_rolled_back_key_alone_leaves_nothing(
    database: tuple[async_sessionmaker[AsyncSession], MessagingTables],
) -> None:
    sessions, tables = database
    async with sessions() as session:
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
        await session.rollback()
    async with sessions() as session:
        assert await replay(session, tables, ANN, "key-1", fingerprint(BODY)) is None
