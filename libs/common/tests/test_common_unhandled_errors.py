"""Unknown errors answer 500 problem+json, a database outage 503 with Retry-After; logged once."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from pmo_common.outages import is_database_outage
from pmo_common.problems import PROBLEM_MEDIA_TYPE
from pmo_stack.testkit.in_process import asgi_client
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

AppBuilder = Callable[..., FastAPI]
SECRET_INTERNALS = "secret internals must not leak"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def failing_routes(tmp_path: Path) -> APIRouter:
    router = APIRouter()
    closed = free_port()

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError(SECRET_INTERNALS)

    @router.get("/whoami")
    async def whoami(request: Request) -> dict[str, Any]:
        client = request.client
        return {"port": client.port if client else None}

    @router.get("/postgres-down")
    async def postgres_down() -> None:
        await select_one(f"postgresql+asyncpg://pmo:pw@127.0.0.1:{closed}/pmo")

    @router.get("/sqlite-unreachable")
    async def sqlite_unreachable() -> None:
        await select_one(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")

    @router.get("/pool-timeout")
    async def pool_timeout() -> None:
        raise sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached")

    @router.get("/connection-lost")
    async def connection_lost() -> None:
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")

    @router.get("/refused-elsewhere")
    async def refused_elsewhere() -> None:
        raise ConnectionRefusedError(SECRET_INTERNALS)  # not the database: a plain 500

    return router


async def select_one(database_url: str) -> None:
    """Connect to the database and run `SELECT 1` (raising what the driver raises)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.exc_info]


@pytest.fixture
async def client(build_service_app: AppBuilder, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions stays on: an error escaping the app would fail the test.
    async with asgi_client(build_service_app(failing_routes(tmp_path))) as client:
        yield client


async def test_an_unknown_error_is_a_500_problem_with_the_correlation_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/crash", headers={"X-Correlation-ID": "corr-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["title"] == "Internal Server Error"
    assert body["correlation_id"] == "corr-500" == response.headers["x-correlation-id"]
    assert SECRET_INTERNALS not in response.text and "RuntimeError" not in response.text
    [record] = error_records(caplog)
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


@pytest.mark.parametrize(
    "path", ["/postgres-down", "/sqlite-unreachable", "/pool-timeout", "/connection-lost"]
)
async def test_a_database_outage_is_a_503_problem_to_retry(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["title"] == "Service Unavailable"
    assert "database" in body["detail"]
    assert "127.0.0.1" not in body["detail"] and "sqlite" not in body["detail"].lower()
    assert len(error_records(caplog)) == 1


async def test_a_refused_connection_outside_the_database_stays_a_500(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/refused-elsewhere")
    assert response.status_code == 500
    assert SECRET_INTERNALS not in response.text
    assert len(error_records(caplog)) == 1


def test_database_outages_are_recognised() -> None:
    assert is_database_outage(sa_exc.OperationalError("SELECT 1", {}, Exception("gone")))
    assert is_database_outage(sa_exc.InterfaceError("SELECT 1", {}, Exception("closed")))
    assert is_database_outage(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert is_database_outage(asyncpg.exceptions.TooManyConnectionsError("too many"))
    assert not is_database_outage(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not is_database_outage(TimeoutError("an HTTP call timed out"))
    assert not is_database_outage(ValueError("bad"))


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def served(
    build_service_app: AppBuilder, tmp_path: Path, restore_logging: None
) -> Iterator[tuple[str, RecordingHandler]]:
    """The app under a real uvicorn on loopback (lifespan on), and a handler on the root logger."""
    app = build_service_app(failing_routes(tmp_path))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, server_header=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    # The lifespan has rewired logging by now; record everything that reaches the root.
    handler = RecordingHandler()
    logging.getLogger().addHandler(handler)
    try:
        yield f"http://127.0.0.1:{port}", handler
    finally:
        logging.getLogger().removeHandler(handler)
        server.should_exit = True
        thread.join(timeout=10)


def test_a_500_keeps_the_connection_and_logs_the_traceback_once(
    served: tuple[str, RecordingHandler],
) -> None:
    url, handler = served
    with httpx.Client(base_url=url, timeout=5) as client:
        before = client.get("/whoami")
        crashed = client.get("/crash")
        after = client.get("/whoami")
    assert crashed.status_code == 500
    assert crashed.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "connection" not in crashed.headers  # no "Connection: close"
    assert after.status_code == 200
    # The same client port: the second request travelled on the same keep-alive connection.
    assert before.json()["port"] == after.json()["port"]
    assert "server" not in after.headers
    tracebacks = [record for record in handler.records if record.exc_info]
    assert len(tracebacks) == 1
    assert tracebacks[0].exc_info is not None and tracebacks[0].exc_info[0] is RuntimeError
