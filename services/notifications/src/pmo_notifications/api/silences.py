"""Routes of silences: while one holds, alerts are recorded but nobody is notified."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.problems import ProblemException, not_found
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import IdempotencyKey, fingerprint, remember, replay
from pmo_common.web.pagination import Page, PageDep, make_page
from sqlalchemy.exc import IntegrityError

from pmo_notifications.api.access import PortfolioPrincipal, actor_name
from pmo_notifications.api.schemas import ReferenceId, SilenceCreate, SilenceOut
from pmo_notifications.api.subscriptions import CONCURRENT_KEY
from pmo_notifications.db.silence_repository import (
    SilenceRecord,
    delete_silence,
    get_silence,
    insert_silence,
    list_silences,
)
from pmo_notifications.db.tables import messaging
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain.silence_rules import silence_violations

router = APIRouter(prefix="/v1", tags=["silences"])


def silence_out(silence: SilenceRecord) -> SilenceOut:
    """The API view of a silence, saying whether it holds now."""
    now = utc_now()
    return SilenceOut(
        id=silence.id,
        project_id=silence.project_id,
        portfolio_id=silence.portfolio_id,
        reason=silence.reason,
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        created_by=silence.created_by,
        created_at=silence.created_at,
        active=silence.starts_at <= now < silence.ends_at,
    )


@router.post("/silences", status_code=201, response_model=SilenceOut, summary="Create a silence")
async def create_silence_route(
    body: SilenceCreate,
    principal: PortfolioPrincipal,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Silence a project, a portfolio or (PMO admins only) everything until `ends_at`."""
    now = utc_now()
    starts_at = body.starts_at or now
    violations = silence_violations(
        project_id=body.project_id,
        portfolio_id=body.portfolio_id,
        starts_at=starts_at,
        ends_at=body.ends_at,
        now=now,
        may_silence_everything=principal.has_any_role("pmo_admin"),
    )
    if violations:
        raise ProblemException(
            422,
            "Invalid request",
            "; ".join(f"{v.field}: {v.reason}" for v in violations),
            errors=[{"field": v.field, "reason": v.reason} for v in violations],
        )
    request_hash = fingerprint(body.model_dump(mode="json"))
    try:
        async with session.begin():
            replayed = await replay(session, messaging, principal, idempotency_key, request_hash)
            if replayed is not None:
                return replayed
            silence = SilenceRecord(
                id=str(uuid.uuid4()),
                project_id=body.project_id,
                portfolio_id=body.portfolio_id,
                reason=body.reason,
                starts_at=starts_at,
                ends_at=body.ends_at,
                created_by=actor_name(principal),
                created_at=now,
            )
            await insert_silence(session, silence=silence)
            answer = silence_out(silence).model_dump(mode="json")
            await remember(
                session, messaging, principal, idempotency_key, request_hash, 201, answer
            )
    except IntegrityError as exc:
        raise CONCURRENT_KEY from exc
    return JSONResponse(answer, status_code=201)


@router.get("/silences", summary="List silences (soonest to end first)")
async def list_silences_route(
    principal: PortfolioPrincipal,
    session: SessionDep,
    page: PageDep,
    active: bool = False,
    project_id: ReferenceId | None = None,
) -> Page[SilenceOut]:
    """A page of silences; `active=true` keeps only those holding now."""
    records = await list_silences(
        session,
        active_at=utc_now() if active else None,
        project_id=project_id,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([silence_out(record) for record in records], page)


@router.get("/silences/{silence_id}", summary="Read one silence")
async def get_silence_route(
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep
) -> SilenceOut:
    """One silence."""
    silence = await get_silence(session, silence_id=silence_id)
    if silence is None:
        raise not_found("silence", silence_id)
    return silence_out(silence)


@router.delete("/silences/{silence_id}", status_code=204, summary="Delete a silence")
async def delete_silence_route(
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep
) -> Response:
    """End a silence now: notifications flow again for its scope."""
    async with session.begin():
        if await get_silence(session, silence_id=silence_id) is None:
            raise not_found("silence", silence_id)
        await delete_silence(session, silence_id=silence_id)
    return Response(status_code=204)
