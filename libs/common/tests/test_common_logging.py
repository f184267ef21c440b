"""Structured logs: one JSON object per line, carrying the correlation id of the request."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import APIRouter
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.observability import JsonLogFormatter, configure_logging, correlation_id_var
from pmo_common.settings import ServiceSettings
from pmo_common.web.app_factory import create_service_app
from sqlalchemy import MetaData, create_engine

HANDLER_LOGGER = "pmo_demo.handler"


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging rewires the root and uvicorn loggers: put them back after each test."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "aiokafka")
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate) for n in names}
    saved_levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:], root.level = saved_root[0], saved_root[1]
    for name, (handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(saved_levels[name])


@pytest.fixture
def json_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only output is the JSON formatter writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter("demo"))
    logger = logging.getLogger(f"pmo_demo.{uuid.uuid4().hex[:8]}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers.clear()


def lines_of(text: str) -> list[dict[str, Any]]:
    """Each non-empty line parsed as one JSON object (fails on a line that is not)."""
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(isinstance(entry, dict) for entry in entries)
    return entries


def test_a_record_is_one_json_object_with_the_standard_fields(
    json_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_logger

    logger.warning("budget of %s exceeded\nby %d%%", "Apollo", 12)

    (entry,) = lines_of(stream.getvalue())
    assert entry["level"] == "WARNING"
    assert entry["service"] == "demo"
    assert entry["logger"] == logger.name
    assert entry["message"] == "budget of Apollo exceeded\nby 12%"
    assert entry["ts"].endswith("+00:00")
    assert "correlation_id" not in entry
    assert "exc" not in entry


def test_the_correlation_id_of_the_work_in_progress_is_included(
    json_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_logger

    token = correlation_id_var.set("corr-42")
    try:
        logger.info("inside")
    finally:
        correlation_id_var.reset(token)
    logger.info("outside")

    inside, outside = lines_of(stream.getvalue())
    assert inside["correlation_id"] == "corr-42"
    assert "correlation_id" not in outside


def test_event_extras_are_included_and_other_extras_are_not(
    json_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_logger
    extras = {
        "event_id": "e-1",
        "event_type": "project.at_risk",
        "topic": "project.at_risk",
        "project_id": "p-9",
    }

    logger.info("applied", extra={**extras, "secret_stuff": "no"})
    logger.info("plain")

    applied, plain = lines_of(stream.getvalue())
    assert {key: applied[key] for key in extras} == extras
    assert "secret_stuff" not in applied
    assert not set(extras) & set(plain)


def test_an_exception_is_rendered_under_exc(
    json_logger: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_logger

    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("handler failed")
    logger.exception("no exception is being handled here")

    failed, without = lines_of(stream.getvalue())
    assert failed["level"] == "ERROR"
    assert failed["message"] == "handler failed"
    assert failed["exc"].startswith("Traceback")
    assert "ValueError: boom" in failed["exc"]
    assert "exc" not in without


def test_configure_logging_makes_root_and_uvicorn_lines_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    uvicorn_logger = logging.getLogger("uvicorn.error")
    uvicorn_logger.handlers[:] = [logging.StreamHandler()]  # what uvicorn's own config does
    uvicorn_logger.propagate = False

    configure_logging("demo", "info")
    logging.getLogger("pmo_demo").debug("below the level")
    logging.getLogger("pmo_demo").info("from the service")
    uvicorn_logger.info("Shutting down")

    entries = lines_of(capsys.readouterr().err)
    assert [(e["logger"], e["message"]) for e in entries] == [
        ("pmo_demo", "from the service"),
        ("uvicorn.error", "Shutting down"),
    ]
    assert {e["service"] for e in entries} == {"demo"}


def migrated_sqlite(path: Path) -> tuple[str, MessagingTables]:
    """A SQLite file holding the messaging tables (created with a sync engine)."""
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    return f"sqlite+aiosqlite:///{path}", tables


@dataclass
class Demo:
    client: httpx.AsyncClient
    log: io.StringIO

    def handler_lines(self) -> list[dict[str, Any]]:
        """The JSON lines the request handler wrote."""
        return [e for e in lines_of(self.log.getvalue()) if e["logger"] == HANDLER_LOGGER]


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    """A tiny service built with the app factory, Kafka off, on a migrated SQLite file."""
    url, tables = migrated_sqlite(tmp_path / "demo.db")
    router = APIRouter()

    @router.get("/echo")
    async def echo() -> dict[str, str | None]:
        logging.getLogger(HANDLER_LOGGER).info("handling echo")
        return {"correlation_id": correlation_id_var.get()}

    settings = DemoSettings(database_url=url, kafka_enabled=False, data_dir=tmp_path)
    app = create_service_app(settings=settings, tables=tables, routers=[router])
    async with app.router.lifespan_context(app):
        # The lifespan installed the service's JSON handler on the root logger; read what it
        # writes from a buffer instead of the process' stderr.
        (handler,) = logging.getLogger().handlers
        assert isinstance(handler, logging.StreamHandler)
        assert isinstance(handler.formatter, JsonLogFormatter)
        buffer = io.StringIO()
        handler.setStream(buffer)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
            yield Demo(http, buffer)


async def test_a_safe_correlation_id_is_echoed_and_logged(demo: Demo) -> None:
    response = await demo.client.get("/echo", headers={"X-Correlation-ID": "abc-123"})

    assert response.status_code == 200
    assert response.headers["X-Correlation-ID"] == "abc-123"
    assert response.json() == {"correlation_id": "abc-123"}
    (entry,) = demo.handler_lines()
    assert entry["message"] == "handling echo"
    assert entry["service"] == "demo"
    assert entry["level"] == "INFO"
    assert entry["correlation_id"] == "abc-123"


@pytest.mark.parametrize(
    "unsafe",
    ["abc 123", "x" * 300, "<script>alert(1)</script>", '"};{"level":"CRITICAL'],
    ids=["space", "too-long", "markup", "json-injection"],
)
async def test_an_unsafe_correlation_id_is_replaced_by_a_fresh_uuid(
    demo: Demo, unsafe: str
) -> None:
    response = await demo.client.get("/echo", headers={"X-Correlation-ID": unsafe})

    assert response.status_code == 200
    fresh = response.headers["X-Correlation-ID"]
    assert fresh != unsafe
    assert uuid.UUID(fresh).version == 4
    assert response.json() == {"correlation_id": fresh}
    (entry,) = demo.handler_lines()
    assert entry["correlation_id"] == fresh


async def test_requests_without_an_id_get_distinct_ids(demo: Demo) -> None:
    first = await demo.client.get("/echo")
    second = await demo.client.get("/echo")

    ids = [first.headers["X-Correlation-ID"], second.headers["X-Correlation-ID"]]
    assert ids[0] != ids[1]
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert [e["correlation_id"] for e in demo.handler_lines()] == ids
