"""Idempotency keys: a retried create replays the first answer; a reused key is refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.auth.principal import Principal
from pmo_common.auth.tokens import TokenVerifier, mint_dev_token
from pmo_common.db.engine import create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.outbox import EventOutbox
from pmo_common.messaging.tables import MessagingTables
from pmo_common.problems import ProblemException, install_problem_handlers
from pmo_common.web.idempotency import OnceDep, fingerprint, remember, replay
from pmo_stack.testkit.in_process import asgi_client
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

ANN = Principal("ann", "ann@example.org", frozenset({"project_manager"}))
BOB = Principal("bob", "bob@example.org", frozenset({"project_manager"}))
BODY = {"name": "Apollo", "budget": 1000}
SECRET = "idempotency-test-secret-0123456789abcdef"
Database = tuple[async_sessionmaker[AsyncSession], MessagingTables]


@pytest.fixture
def database(messaging_database: tuple[AsyncEngine, MessagingTables]) -> Database:
    engine, tables = messaging_database
    return create_session_factory(engine), tables


@pytest.fixture
async def remembered(database: Database) -> Database:
    """The database once Ann created p-1 from BODY with key-1 (the answer later calls meet)."""
    sessions, tables = database
    async with sessions() as session, session.begin():
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
    return database


def test_fingerprints_ignore_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


async def test_a_remembered_response_is_replayed(database: Database) -> None:
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


async def test_a_key_reused_with_another_body_is_refused(remembered: Database) -> None:
    sessions, tables = remembered
    async with sessions() as session:
        with pytest.raises(ProblemException) as raised:
            await replay(session, tables, ANN, "key-1", fingerprint({**BODY, "budget": 5}))
    assert raised.value.status == 422
    assert raised.value.errors == [
        {"field": "header.Idempotency-Key", "reason": "reused with another body"}
    ]


async def test_keys_belong_to_their_principal(remembered: Database) -> None:
    sessions, tables = remembered
    async with sessions() as session:
        assert await replay(session, tables, BOB, "key-1", fingerprint(BODY)) is None


async def test_without_a_key_nothing_is_stored_or_replayed(database: Database) -> None:
    sessions, tables = database
    async with sessions() as session, session.begin():
        await remember(session, tables, ANN, None, fingerprint(BODY), 201, {"id": "p-1"})
        assert await replay(session, tables, ANN, None, fingerprint(BODY)) is None
    async with sessions() as session:
        rows = (await session.execute(tables.idempotency_keys.select())).all()
    assert rows == []


async def test_a_rolled_back_create_leaves_no_key(database: Database) -> None:
    sessions, tables = database
    async with sessions() as session:
        event = CloudEvent(source="/pmo/intake", type="project.created", subject="p-1", data={})
        await EventOutbox("intake", tables).enqueue_envelope(session, event)
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
        await session.rollback()
    async with sessions() as session:
        assert await replay(session, tables, ANN, "key-1", fingerprint(BODY)) is None
        assert (await session.execute(tables.outbox.select())).all() == []


async def test_a_rolled_back_key_alone_leaves_nothing(database: Database) -> None:
    sessions, tables = database
    async with sessions() as session:
        await remember(session, tables, ANN, "key-1", fingerprint(BODY), 201, {"id": "p-1"})
        await session.rollback()
    async with sessions() as session:
        assert await replay(session, tables, ANN, "key-1", fingerprint(BODY)) is None


class Thing(BaseModel):
    """A created resource in a test app."""

    model_config = ConfigDict(extra="forbid")
    name: str
    note: str = ""


def once_app(database: Database, created: list[str]) -> FastAPI:
    """A FastAPI app whose creating routes go through CreateOnce, on the SQLite database."""
    sessions, tables = database
    app = FastAPI()
    install_problem_handlers(app)
    app.state.runtime = SimpleNamespace(tables=tables, sessions=sessions)
    app.state.token_verifier = TokenVerifier(secret=SECRET)

    @app.post("/things", status_code=201)
    async def create_thing(body: Thing, once: OnceDep) -> Any:
        async def create() -> Thing:
            created.append(body.name)
            return body

        return await once.run(body, create, location=lambda thing: f"/things/{thing.name}")

    @app.post("/other-things", status_code=201)
    async def create_other_thing(body: Thing, once: OnceDep) -> Any:
        async def create() -> Thing:
            created.append(f"other {body.name}")
            return body

        return await once.run(body, create)

    return app


@pytest.fixture
async def once_client(database: Database) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    created: list[str] = []
    token = mint_dev_token(secret=SECRET, sub="ann", email="ann@example.org", roles=["viewer"])
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"}
    async with asgi_client(once_app(database, created), headers=headers) as client:
        yield client, created


async def test_create_once_replays_the_same_request(
    once_client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, created = once_client
    first = await client.post("/things", json={"name": "a", "note": "x"})
    again = await client.post("/things", json={"name": "a", "note": "x"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() == {"name": "a", "note": "x"}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Location"] == "/things/a"
    assert created == ["a"]


async def test_create_once_fingerprints_the_whole_body(
    once_client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, created = once_client
    assert (await client.post("/things", json={"name": "a", "note": "x"})).status_code == 201
    reused = await client.post("/things", json={"name": "a", "note": "another note"})
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["errors"] == [
        {"field": "header.Idempotency-Key", "reason": "reused with another body"}
    ]
    assert created == ["a"]


async def test_create_once_fingerprints_the_route(
    once_client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, created = once_client
    assert (await client.post("/things", json={"name": "a"})).status_code == 201
    elsewhere = await client.post("/other-things", json={"name": "a"})
    assert elsewhere.status_code == 422
    assert created == ["a"]


async def test_a_failed_create_keeps_no_key(
    database: Database,
    once_client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, _ = once_client
    refused = await client.post("/things", json={"name": "a", "unknown": 1})
    assert refused.status_code == 422
    assert (await client.post("/things", json={"name": "a"})).status_code == 201
    sessions, tables = database
    async with sessions() as session:
        rows = (await session.execute(tables.idempotency_keys.select())).all()
    assert len(rows) == 1
