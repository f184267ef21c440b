"""`GET /v1/audit`: the trail, newest first, for PMO admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select

from pmo_common.audit.trail import AuditTrail
from pmo_common.auth.dependencies import require_roles
from pmo_common.auth.principal import Principal
from pmo_common.db.rows import as_utc
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page


class AuditActor(BaseModel):
    """Who acted: the token's subject, e-mail and roles (or `service:<name>` for the service's
    own work on an event)."""

    subject: str
    email: str | None
    roles: list[str]


class AuditRecordOut(BaseModel):
    """One change: who, when, what, and each changed field before and after."""

    id: int
    recorded_at: datetime
    actor: AuditActor
    action: str = Field(description="What happened, e.g. project.updated")
    resource_type: str
    resource_id: str
    changes: dict[str, dict[str, Any]] = Field(
        description='Each changed field: {"before": old value, "after": new value}'
    )
    correlation_id: str | None = Field(
        description="The request's correlation id (also in its logs and the events it caused)"
    )


def _record_out(row: Any) -> AuditRecordOut:
    return AuditRecordOut(
        id=row["id"],
        recorded_at=as_utc(row["recorded_at"]),
        actor=AuditActor(
            subject=row["actor_subject"], email=row["actor_email"], roles=row["actor_roles"]
        ),
        action=row["action"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        changes=row["changes"],
        correlation_id=row["correlation_id"],
    )


def audit_router(trail: AuditTrail) -> APIRouter:
    """The service's `GET /v1/audit` over its trail."""
    router = APIRouter(prefix="/v1", tags=["audit"])
    table = trail.table

    @router.get("/audit", summary="Read the audit trail (PMO admins)")
    async def list_audit_records_route(
        principal: Annotated[Principal, Depends(require_roles("pmo_admin"))],
        session: SessionDep,
        page: PageDep,
        resource_id: Annotated[str | None, Query(max_length=200)] = None,
        actor: Annotated[
            str | None, Query(max_length=320, description="A subject or an e-mail address")
        ] = None,
        since: Annotated[datetime | None, Query(description="Recorded at or after")] = None,
        until: Annotated[datetime | None, Query(description="Recorded before")] = None,
    ) -> Page[AuditRecordOut]:
        """Every recorded change of this service, newest first, narrowed by the filters."""
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise ProblemException(
                    422,
                    "Invalid request",
                    f"{name} needs a time zone (e.g. 2026-11-30T09:00:00Z).",
                    errors=[{"field": f"query.{name}", "reason": "needs a time zone offset"}],
                )
        query = select(table).order_by(table.c.id.desc())
        if resource_id is not None:
            query = query.where(table.c.resource_id == resource_id)
        if actor is not None:
            query = query.where(
                or_(
                    table.c.actor_subject == actor,
                    func.lower(table.c.actor_email) == actor.lower(),
                )
            )
        if since is not None:
            query = query.where(table.c.recorded_at >= since)
        if until is not None:
            query = query.where(table.c.recorded_at < until)
        query = query.limit(page.limit + 1).offset(page.offset)
        rows = (await session.execute(query)).mappings()
        return make_page([_record_out(row) for row in rows], page)

    return router
