"""Routes of silences: while one holds, alerts are recorded but nobody is notified."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_notifications.api.access import PortfolioPrincipal, actor_name
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

    async def create() -> SilenceOut:
        return silence_out(await silence_commands.create_silence(session, silence=silence))

    return await once.run(body, create)


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
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep
) -> SilenceOut:
    """One silence."""
    return silence_out(await silence_queries.get_silence(session, silence_id=silence_id))


@router.delete("/silences/{silence_id}", status_code=204, summary="Delete a silence")
async def delete_silence_route(
    silence_id: str, principal: PortfolioPrincipal, session: SessionDep
) -> Response:
    """End a silence now: notifications flow again for its scope."""
    await silence_queries.get_silence(session, silence_id=silence_id)
    await silence_commands.delete_silence(session, silence_id=silence_id)
    return Response(status_code=204)
