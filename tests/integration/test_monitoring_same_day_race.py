"""Concurrent status reports for one project and day on real PostgreSQL: never a 500.

Monitoring runs in process (lifespan, Kafka off) on a fresh, migrated PostgreSQL database; the
project arrives through the real event applier. Eight POSTs for the same project and as_of
run at once through the ASGI app, each on its own connection: with one Idempotency-Key exactly
one creates the report and the others replay it or answer 409; without a key each is applied
in turn (a same-day report replaces the earlier one) or answers 409. Either way exactly one
report is stored for the day, with the figures of a request that got 201, and its revisions
are exactly the versions that got 201.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pmo_monitoring.migrate
import pytest
from fastapi import FastAPI
from pmo_common.db.engine import create_database_engine
from pmo_common.messaging.event_applier import Outcome
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_monitoring.api import status_reports as status_report_routes
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import messaging, status_reports
from pmo_monitoring.handlers.project_queries import load_project
from pmo_monitoring.main import create_app
from pmo_stack.testkit import TokenFactory, assert_problem
from pmo_stack.testkit.project_data import project_created_data, project_created_event
from sqlalchemy import func, select

pytestmark = pytest.mark.integration

PARALLEL = 8
TODAY = datetime.now(UTC).date()


@pytest.fixture
async def database_url(make_database: Callable[[str], str]) -> str:
    """A fresh PostgreSQL database with monitoring's migrations applied."""
    url = make_database("monitoring_same_day")
    # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
    await asyncio.to_thread(pmo_monitoring.migrate.migrate, url)
    return url


@pytest.fixture(params=["row lock", "no row lock"])
async def monitoring(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    """Monitoring with its lifespan running on that database, Kafka off.

    Run twice: as shipped (the route locks the project's row, so reports on one project are
    serialised), and with that lock taken away, so the requests really overlap on PostgreSQL
    too and only the uniqueness-safe writes stand between them and a unique violation.
    """
    if request.param == "no row lock":

        async def load_unlocked(session: Any, *, project_id: str, for_update: bool = False) -> Any:
            return await load_project(session, project_id=project_id)

        monkeypatch.setattr(status_report_routes, "load_project", load_unlocked)
    settings = MonitoringSettings(
        database_url=database_url,
        kafka_enabled=False,
        data_dir=tmp_path,
        overdue_check_seconds=0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(monitoring: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees a crash as the 500 a caller gets, not as an exception in the test."""
    transport = httpx.ASGITransport(app=monitoring, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
        yield http


def _headers(key: str | None = None) -> dict[str, str]:
    headers = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pmo@example.com")
    return headers if key is None else {**headers, "Idempotency-Key": key}


def _body(percent: float) -> dict[str, Any]:
    return {
        "as_of": TODAY.isoformat(),
        "percent_complete": percent,
        "actual_cost": 1000.0 * percent,
        "risks": [{"title": "Supplier late", "probability": 0.3, "impact": 4}],
        "manager_rag": "green",
        "summary": "Racing reports.",
    }


async def _known_project(app: FastAPI) -> str:
    data = project_created_data("Same-day race")
    outcome, failure = await app.state.runtime.applier.apply(project_created_event(data))
    assert outcome == Outcome.APPLIED, failure
    return str(data["project_id"])


async def _stored(database_url: str, project_id: str) -> tuple[list[dict[str, Any]], int]:
    """The project's stored reports and its status_reported events in the outbox."""
    engine = create_database_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(status_reports).where(status_reports.c.project_id == project_id)
            )
            reports = [dict(row._mapping) for row in rows]
            outbox = messaging.outbox
            events = await connection.scalar(
                select(func.count())
                .select_from(outbox)
                .where(
                    outbox.c.topic == "project.status_reported", outbox.c.message_key == project_id
                )
            )
    finally:
        await engine.dispose()
    return reports, int(events or 0)


def _assert_409_problems(responses: list[httpx.Response]) -> None:
    for response in responses:
        assert_problem(response, 409)
        assert "retry" in response.json()["detail"].lower()


async def test_one_key_eight_at_once_creates_one_report(
    monitoring: FastAPI, client: httpx.AsyncClient, database_url: str
) -> None:
    project_id = await _known_project(monitoring)
    url = f"/v1/projects/{project_id}/status-reports"
    headers = _headers(key=f"race-{uuid.uuid4()}")

    responses = await asyncio.gather(
        *(client.post(url, json=_body(45), headers=headers) for _ in range(PARALLEL))
    )

    assert not [r.text for r in responses if r.status_code >= 500]
    created = [
        r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    ]
    replayed = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    assert len(created) == 1, [r.status_code for r in responses]
    _assert_409_problems([r for r in responses if r.status_code != 201])
    first = created[0].json()
    assert all(response.json() == first for response in replayed)

    reports, events = await _stored(database_url, project_id)
    assert len(reports) == 1
    assert (reports[0]["id"], reports[0]["percent_complete"], reports[0]["actual_cost"]) == (
        first["id"],
        45.0,
        45000.0,
    )
    assert events == 1

    again = await client.post(url, json=_body(45), headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first


async def test_without_a_key_each_is_applied_in_turn_or_409(
    monitoring: FastAPI, client: httpx.AsyncClient, database_url: str
) -> None:
    project_id = await _known_project(monitoring)
    url = f"/v1/projects/{project_id}/status-reports"

    # Applied in any order, so a later one may lower the figures: each is a correction.
    bodies = [
        {**_body(40 + index), "correction": True, "correction_note": "Racing corrections."}
        for index in range(PARALLEL)
    ]
    responses = await asyncio.gather(
        *(client.post(url, json=body, headers=_headers()) for body in bodies)
    )

    assert not [r.text for r in responses if r.status_code >= 500]
    _assert_409_problems([r for r in responses if r.status_code != 201])
    applied = [response.json() for response in responses if response.status_code == 201]
    assert applied
    assert sorted(filed["revision"] for filed in applied) == list(range(1, len(applied) + 1))
    assert len({filed["id"] for filed in applied}) == 1

    reports, events = await _stored(database_url, project_id)
    assert len(reports) == 1
    last = max(applied, key=lambda filed: filed["revision"])
    assert (
        reports[0]["id"],
        reports[0]["percent_complete"],
        reports[0]["actual_cost"],
        reports[0]["revision"],
    ) == (last["id"], last["percent_complete"], last["actual_cost"], last["revision"])
    assert events == len(applied)
    # Every version applied is kept once, under the revision its answer named.
    kept = await client.get(f"{url}/{last['id']}/revisions", headers=_headers())
    assert [(r["revision"], r["percent_complete"]) for r in kept.json()["items"]] == sorted(
        (filed["revision"], filed["percent_complete"]) for filed in applied
    )
