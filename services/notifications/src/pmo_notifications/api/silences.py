"""Routes of silences: while one holds, alerts are recorded but nobody is notified."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_notifications.api.access import PortfolioPrincipal, actor_name, ensure_can_silence
from pmo_notifications.api.preconditions import stale_tag_responses, still_as_read, tagged
from pmo_notifications.api.schemas import ReferenceId, SilenceCreate, SilenceOut
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.silence_rules import SilenceRecord
from pmo_notifications.handlers import silence_commands, silence_queries

router = APIRouter(prefix="/v1", tags=["silences"])


def silence_out(silence: SilenceRecord) -> SilenceOut:
    """The API view of a silence, saying whether it holds now."""
    return SilenceOut(**asdict(silence), active=silence.holds_at(utc_now()))


@router.post("/silences", status_code=201, response_model=SilenceOut, summary="Create a silence")
async def create_silence_route(
    body: SilenceCreate, principal: PortfolioPrincipal, session: SessionDep, once: OnceDep
) -> JSONResponse:
    """Silence a project, a portfolio or (PMO admins only) everything until `ends_at`."""
    silence = silence_commands.checked_silence(
        project_id=body.project_id,
        portfolio_id=body.portfolio_id,
        reason=body.reason,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        created_by=actor_name(principal),
        may_silence_everything=principal.has_any_role("pmo_admin"),
    )
    ensure_can_silence(
        principal,
        scope=silence,
        project=await silence_queries.silenced_project(session, project_id=silence.project_id),
    )

    async def create() -> SilenceOut:
        return silence_out(await silence_commands.create_silence(session, silence=silence))

    return tagged(await once.run(body, create))


@router.get("/silences", summary="List silences (soonest to end first)")
async def list_silences_route(
    principal: PortfolioPrincipal,
    session: SessionDep,
    page: PageDep,
    active: bool = False,
    project_id: ReferenceId | None = None,
) -> Page[SilenceOut]:
    """A page of silences; `active=true` keeps only those holding now."""
    records = await silence_queries.list_silences(
        session,
        active_at=utc_now() if active else None,
        project_id=project_id,
        page=page,
    )
    return make_page([silence_out(record) for record in records], page)


@router.get("/silences/{silence_id}", summary="Read one silence")
async def get_silence_route(
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep, response: Response
) -> SilenceOut:
    """One silence, with its ETag (which changes as the silence starts and ends to hold)."""
    shown = silence_out(await silence_queries.get_silence(session, silence_id=silence_id))
    tag_response(response, shown)
    return shown


@router.delete(
    "/silences/{silence_id}",
    status_code=204,
    summary="Delete a silence",
    responses=stale_tag_responses("silence"),
)
async def delete_silence_route(
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """End a silence now: notifications flow again for its scope. With If-Match, only while it
    is as the caller read it (412 otherwise, or when it was deleted meanwhile)."""
    current = await silence_queries.get_silence(session, silence_id=silence_id)
    ensure_can_silence(
        principal,
        scope=current,
        project=await silence_queries.silenced_project(session, project_id=current.project_id),
    )
    await silence_commands.delete_silence(
        session, silence_id=silence_id, check=still_as_read(if_match, silence_out)
    )
    return Response(status_code=204)
