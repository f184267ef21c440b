"""The audit trail: the token's actor, field-level changes and the correlation id, read back
through GET /v1/audit by PMO admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pmo_common.audit.route import audit_router
from pmo_common.audit.trail import AuditTrail, audit_table, field_changes
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.db.engine import create_session_factory
from pmo_common.web.app_factory import SessionDep, get_session
from pmo_stack.testkit.direct_tables import engine_with_tables
from pmo_stack.testkit.in_process import asgi_client
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import AppBuilder


def test_only_changed_fields_are_kept_with_their_values_before_and_after() -> None:
    before = {"name": "Apollo", "budget": 100_000, "end_date": date(2027, 6, 30)}
    after = {"name": "Apollo", "budget": 150_000, "end_date": date(2027, 9, 30)}
    assert field_changes(before, after) == {
        "budget": {"before": 100_000, "after": 150_000},
        "end_date": {"before": "2027-06-30", "after": "2027-09-30"},
    }
    assert field_changes(None, {"status": "active"}) == {
        "status": {"before": None, "after": "active"}
    }
    assert field_changes({"status": "active"}, None) == {
        "status": {"before": "active", "after": None}
    }
    assert field_changes(before, dict(before)) == {}


@pytest.fixture
async def audited_app(tmp_path: Path, build_service_app: AppBuilder) -> AsyncIterator[FastAPI]:
    """An app whose `PATCH /v1/things/{id}` records its change, with GET /v1/audit mounted."""
    metadata = MetaData()
    trail = AuditTrail(table=audit_table(metadata), service="things")
    engine = await engine_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", metadata)
    sessions = create_session_factory(engine)
    things = APIRouter(prefix="/v1")
    app_router = APIRouter()

    async def change(thing_id: str, body: dict[str, Any], session: AsyncSession) -> None:
        async with session.begin():
            await trail.record(
                session,
                action="thing.updated",
                resource_type="thing",
                resource_id=thing_id,
                before={"budget": 1},
                after=body,
            )

    @things.patch("/things/{thing_id}")
    async def patch_thing(
        thing_id: str, body: dict[str, Any], principal: CurrentPrincipal, session: SessionDep
    ) -> None:
        await change(thing_id, body, session)

    # Work no person started (like a consumed event): no token is verified on this path.
    @app_router.patch("/internal/things/{thing_id}")
    async def patch_thing_internally(
        thing_id: str, body: dict[str, Any], session: SessionDep
    ) -> None:
        await change(thing_id, body, session)

    async def session_override() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    app = build_service_app(things, app_router, audit_router(trail))
    app.dependency_overrides[get_session] = session_override
    yield app
    await engine.dispose()


async def _patch(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], correlation: str
) -> None:
    answer = await client.patch(
        path, json={"budget": 2}, headers={**headers, "X-Correlation-ID": correlation}
    )
    assert answer.status_code == 200, answer.text


async def test_a_record_names_the_token_that_made_the_change_and_its_correlation_id(
    audited_app: FastAPI, bearer: Callable[..., dict[str, str]]
) -> None:
    admin = bearer("pmo_admin")
    async with asgi_client(audited_app) as client:
        await _patch(client, "/v1/things/t-1", bearer("portfolio_manager"), "corr-1")
        [record] = (await client.get("/v1/audit", headers=admin)).json()["items"]
    assert record["actor"] == {
        "subject": "u-1",
        "email": "u1@example.org",
        "roles": ["portfolio_manager"],
    }
    assert record["action"] == "thing.updated"
    assert record["resource_type"] == "thing"
    assert record["resource_id"] == "t-1"
    assert record["changes"] == {"budget": {"before": 1, "after": 2}}
    assert record["correlation_id"] == "corr-1"


async def test_work_no_person_started_is_recorded_as_the_service(
    audited_app: FastAPI, bearer: Callable[..., dict[str, str]]
) -> None:
    admin = bearer("pmo_admin")
    async with asgi_client(audited_app) as client:
        # A verified token in an earlier request must not leak into this one's actor.
        await _patch(client, "/v1/things/t-1", admin, "corr-1")
        await _patch(client, "/internal/things/t-2", {}, "corr-2")
        records = (await client.get("/v1/audit", headers=admin)).json()["items"]
    assert records[0]["resource_id"] == "t-2"
    assert records[0]["actor"] == {"subject": "service:things", "email": None, "roles": ["service"]}


async def test_filters_and_admin_only(
    audited_app: FastAPI, bearer: Callable[..., dict[str, str]]
) -> None:
    admin = bearer("pmo_admin")
    async with asgi_client(audited_app) as client:
        await _patch(client, "/internal/things/t-1", {}, "c-1")
        await _patch(client, "/internal/things/t-2", {}, "c-2")
        refused = await client.get("/v1/audit", headers=bearer("portfolio_manager"))
        assert refused.status_code == 403
        by_resource = (
            await client.get("/v1/audit", params={"resource_id": "t-2"}, headers=admin)
        ).json()["items"]
        assert [r["correlation_id"] for r in by_resource] == ["c-2"]
        everything = (await client.get("/v1/audit", headers=admin)).json()["items"]
        assert [r["resource_id"] for r in everything] == ["t-2", "t-1"]  # newest first
        later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        none_yet = (await client.get("/v1/audit", params={"since": later}, headers=admin)).json()
        assert none_yet["items"] == []
        before_now = (await client.get("/v1/audit", params={"until": later}, headers=admin)).json()
        assert len(before_now["items"]) == 2
        by_actor = (
            await client.get("/v1/audit", params={"actor": "service:things"}, headers=admin)
        ).json()["items"]
        assert len(by_actor) == 2
        naive = await client.get(
            "/v1/audit", params={"since": "2026-11-30T09:00:00"}, headers=admin
        )
        assert naive.status_code == 422
        assert naive.json()["errors"][0]["field"] == "query.since"
