"""Two PATCHes of one project with the same If-Match, at once, on PostgreSQL: exactly one is
applied (200), the other answers 412 and leaves nothing behind (docs/adr/0027).

The proof that they contend: the test holds the project's row lock from its own connection while
both requests arrive, waits until PostgreSQL shows both blocked on it, then lets go. Each request
reads the project `FOR UPDATE` before comparing its tag, so the second one to get the lock reads
the first one's change and refuses. Were the compare made on an unlocked read, both would pass it
while the test holds the lock, and both would be applied (two 200s: the lost update).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.db.engine import create_database_engine
from pmo_common.problems import ProblemException
from pmo_intake.config import IntakeSettings
from pmo_intake.handlers import project_commands
from pmo_intake.main import create_app
from pmo_intake.migrate import migrate
from pmo_stack.testkit.fixtures import MakeDatabase
from pmo_stack.testkit.in_process import running_client
from pmo_stack.testkit.postgres_locks import DEADLINE, wait_until_blocked
from pmo_stack.testkit.tokens import dev_auth_header
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

PROJECT = {
    "name": "Apollo",
    "manager": "ada@example.com",
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "budget": 100000,
}


@pytest.fixture
async def database_url(make_database: MakeDatabase) -> str:
    url = make_database("intake_concurrent_writes")
    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The test's own connections to the app's database."""
    engine = create_database_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Intake in process on the PostgreSQL database, Kafka off."""
    settings = IntakeSettings(database_url=database_url, kafka_enabled=False, data_dir=tmp_path)
    async with running_client(create_app(settings), "http://intake") as client:
        yield client


async def audit_actions(client: httpx.AsyncClient, project_id: str) -> list[str]:
    response = await client.get(
        "/v1/audit", params={"resource_id": project_id}, headers=dev_auth_header()
    )
    assert response.status_code == 200, response.text
    return [record["action"] for record in response.json()["items"]]


async def test_two_patches_with_the_same_tag_one_wins_one_gets_412(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    created = await client.post("/v1/projects", json=PROJECT, headers=dev_auth_header())
    assert created.status_code == 201, created.text
    project_id, tag = created.json()["id"], created.headers["ETag"]
    url = f"/v1/projects/{project_id}"
    headers = {**dev_auth_header(), "If-Match": tag}

    def patch(name: str) -> asyncio.Task[httpx.Response]:
        return asyncio.create_task(client.patch(url, json={"name": name}, headers=headers))

    async with engine.connect() as holder:
        # Hold the row lock, so both requests are in flight before either can go on.
        await holder.execute(
            text("SELECT id FROM projects WHERE id = :id FOR UPDATE"), {"id": project_id}
        )
        writers = [patch("Apollo by first"), patch("Apollo by second")]
        await wait_until_blocked(engine, waiters=2)
        await holder.rollback()
    async with asyncio.timeout(DEADLINE):
        responses = await asyncio.gather(*writers)

    assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 412)
    assert loser.headers["content-type"].startswith("application/problem+json")
    assert winner.headers["ETag"] in loser.json()["detail"]
    stored: dict[str, Any] = (await client.get(url, headers=dev_auth_header())).json()
    assert (stored["name"], stored["version"]) == (winner.json()["name"], 2)
    assert await audit_actions(client, project_id) == ["project.updated", "project.created"]


async def test_create_patch_close_are_recorded_and_a_failed_change_is_not(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL too, an audit record commits with its change or not at all."""
    created = await client.post("/v1/projects", json=PROJECT, headers=dev_auth_header())
    url = f"/v1/projects/{created.json()['id']}"

    class BrokenOutbox:
        async def enqueue(self, *_args: Any, **_kwargs: Any) -> None:
            # After the change and its audit record were written, in their transaction.
            raise ProblemException(503, "Unavailable", "The outbox is unavailable.")

    with monkeypatch.context() as patched:
        patched.setattr(project_commands, "outbox", BrokenOutbox())
        failed = await client.patch(url, json={"name": "Never"}, headers=dev_auth_header())
    assert failed.status_code == 503, failed.text
    renamed = await client.patch(url, json={"name": "Apollo II"}, headers=dev_auth_header())
    assert renamed.status_code == 200, renamed.text
    closed = await client.post(f"{url}/close", headers=dev_auth_header())
    assert closed.status_code == 200, closed.text

    assert await audit_actions(client, created.json()["id"]) == [
        "project.closed",
        "project.updated",
        "project.created",
    ]
