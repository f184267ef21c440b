"""Concurrent status reports for one project and day, on SQLite (no row lock): one is stored,
the others replay it or answer 409, never 500; without a key each is applied in turn or 409.

The requests really run at once: eight POSTs through the ASGI app with asyncio.gather, each
with its own session and connection, so their reads interleave before the first one commits.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pmo_monitoring.db import health_repository
from pmo_monitoring.db.tables import status_reports
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import corrected

if TYPE_CHECKING:
    from conftest import Monitoring

PARALLEL = 8
TODAY = datetime.now(UTC).date()


async def _stored_reports(database_url: str, project_id: str) -> list[dict[str, Any]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(status_reports).where(status_reports.c.project_id == project_id)
            )
            return [dict(row._mapping) for row in rows]
    finally:
        await engine.dispose()


async def _known_project_reports(monitoring: Monitoring) -> tuple[str, str]:
    """A project monitoring knows: its id and the URL its status reports are filed at."""
    project = await monitoring.known_project()
    project_id: str = project["project_id"]
    return project_id, f"/v1/projects/{project_id}/status-reports"


def _assert_refusals_are_409_problems(responses: list[httpx.Response]) -> None:
    for response in responses:
        assert response.status_code == 409, (response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "retry" in response.json()["detail"].lower()


async def test_one_key_eight_at_once_stores_one_report(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient
) -> None:
    project_id, url = await _known_project_reports(monitoring)
    headers = {**monitoring.auth_header(), "Idempotency-Key": "same-day-race-1"}
    body = monitoring.report_body(percent_complete=45, actual_cost=52000)

    responses = await asyncio.gather(
        *(lenient_client.post(url, json=body, headers=headers) for _ in range(PARALLEL))
    )

    statuses = sorted(response.status_code for response in responses)
    assert 500 not in statuses, [r.text for r in responses if r.status_code >= 500]
    created = [
        r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    ]
    replayed = [r for r in responses if r.headers.get("Idempotent-Replayed") == "true"]
    refused = [r for r in responses if r.status_code != 201]
    assert len(created) == 1, statuses
    assert len(created) + len(replayed) + len(refused) == PARALLEL
    _assert_refusals_are_409_problems(refused)
    first = created[0].json()
    for response in replayed:
        assert response.json() == first

    stored = await _stored_reports(monitoring.database_url, project_id)
    assert len(stored) == 1
    assert stored[0]["id"] == first["id"]
    assert (stored[0]["percent_complete"], stored[0]["actual_cost"], stored[0]["revision"]) == (
        45.0,
        52000.0,
        1,
    )
    # Once the first committed, the key replays it.
    again = await lenient_client.post(url, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first
    # One status_reported event: the refused requests wrote nothing.
    assert (await monitoring.topics()).count("project.status_reported") == 1


@pytest.mark.parametrize("already_reported", [False, True], ids=["new day", "correction"])
async def test_without_a_key_each_is_applied_in_turn_or_409(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient, already_reported: bool
) -> None:
    project_id, url = await _known_project_reports(monitoring)
    if already_reported:
        await monitoring.file_report(project_id, monitoring.report_body(percent_complete=10))

    # Applied in any order, so a later one may lower the figures: each says it may.
    responses = await asyncio.gather(
        *(
            lenient_client.post(
                url,
                json=corrected(monitoring.report_body(percent_complete=40 + index)),
                headers=monitoring.auth_header(),
            )
            for index in range(PARALLEL)
        )
    )

    assert not [r.text for r in responses if r.status_code >= 500]
    applied = [response.json() for response in responses if response.status_code == 201]
    _assert_refusals_are_409_problems([r for r in responses if r.status_code != 201])
    assert applied
    # Applied in turn: every accepted one counts one more revision of the day's report.
    first_revision = 2 if already_reported else 1
    revisions = sorted(filed["revision"] for filed in applied)
    assert revisions == list(range(first_revision, first_revision + len(applied)))
    assert len({filed["id"] for filed in applied}) == 1

    stored = await _stored_reports(monitoring.database_url, project_id)
    assert len(stored) == 1
    last = max(applied, key=lambda filed: filed["revision"])
    assert stored[0]["id"] == last["id"]
    assert (stored[0]["percent_complete"], stored[0]["revision"]) == (
        last["percent_complete"],
        last["revision"],
    )
    health = await monitoring.read_health(project_id)
    assert health["last_report_id"] == last["id"]
    assert health["metrics"]["ev"] == pytest.approx(last["percent_complete"] * 1000)
    history = await monitoring.client.get(
        f"/v1/projects/{project_id}/health/history", headers=monitoring.auth_header()
    )
    assert [point["report_id"] for point in history.json()["items"]] == [last["id"]]
    # Every version that was applied is kept once, under the revision its answer named.
    kept = await monitoring.client.get(
        f"{url}/{last['id']}/revisions", headers=monitoring.auth_header()
    )
    applied_versions = {filed["revision"]: filed["percent_complete"] for filed in applied}
    if already_reported:
        applied_versions[1] = 10.0
    assert [(r["revision"], r["percent_complete"]) for r in kept.json()["items"]] == sorted(
        applied_versions.items()
    )


async def test_reports_of_different_days_at_once_never_500(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient
) -> None:
    project_id, url = await _known_project_reports(monitoring)
    bodies = [
        # Applied in any order, so a later one may be back-dated: each says it may.
        corrected(
            monitoring.report_body(
                as_of=(TODAY - timedelta(days=index)).isoformat(), percent_complete=50 - index
            )
        )
        for index in range(PARALLEL)
    ]

    responses = await asyncio.gather(
        *(lenient_client.post(url, json=body, headers=monitoring.auth_header()) for body in bodies)
    )

    assert not [r.text for r in responses if r.status_code >= 500]
    _assert_refusals_are_409_problems([r for r in responses if r.status_code != 201])
    applied = {r.json()["id"] for r in responses if r.status_code == 201}
    stored = await _stored_reports(monitoring.database_url, project_id)
    assert {row["id"] for row in stored} == applied


async def test_a_unique_violation_from_a_concurrent_writer_is_a_409_and_stores_nothing(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever row a concurrent writer stored first (here the day's point of the history),
    the use case answers 409 and its transaction leaves nothing behind."""
    project = await monitoring.known_project()
    project_id = project["project_id"]

    async def taken(*_args: Any, **_kwargs: Any) -> None:
        raise IntegrityError("INSERT INTO health_snapshots", {}, Exception("UNIQUE constraint"))

    monkeypatch.setattr(health_repository, "save_point", taken)
    response = await lenient_client.post(
        f"/v1/projects/{project_id}/status-reports",
        json=monitoring.report_body(),
        headers=monitoring.auth_header(),
    )

    _assert_refusals_are_409_problems([response])
    assert await _stored_reports(monitoring.database_url, project_id) == []
    assert "project.status_reported" not in await monitoring.topics()
