"""Routes of /v1/interventions: the PMO's cases for projects in difficulty."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.principal import Principal
from pmo_common.problems import not_found
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, require_match, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.api.access import (
    AnyRolePrincipal,
    BoardPrincipal,
    actor_name,
    ensure_can_complete_action,
    ensure_can_decide,
    ensure_can_handle_actions,
    ensure_can_read_intervention,
    ensure_can_report_exception,
    managed_by_filter,
    portfolios_filter,
)
from pmo_standards.api.intervention_schemas import (
    ActionIn,
    ActionOut,
    ActionPatchIn,
    DecisionIn,
    ExceptionReportIn,
    InterventionOut,
    OwnerIn,
)
from pmo_standards.domain.interventions import Intervention, InterventionFilter
from pmo_standards.handlers import intervention_commands as commands
from pmo_standards.handlers.intervention_queries import find_interventions, load_intervention

router = APIRouter(prefix="/v1/interventions", tags=["interventions"])

Check = Callable[[Principal, Intervention], None]
_STALE = {"description": "If-Match does not match the case's current ETag"}
_CLOSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "The intervention is closed"},
    412: _STALE,
}


async def _checked(
    session: AsyncSession,
    principal: Principal,
    intervention_id: str,
    check: Check,
    if_match: str | None = None,
) -> Intervention:
    """The case, locked for the change to come, once the caller may act on it (else 403/404)
    and, with `if_match`, while it is still as the caller read it (else 412)."""
    case = await load_intervention(session, intervention_id=intervention_id, for_update=True)
    check(principal, case)
    require_match(if_match, InterventionOut.model_validate(case))
    return case


def _tagged(answer: JSONResponse) -> JSONResponse:
    """A creating answer with the ETag of the representation it carries."""
    tag_response(answer, json.loads(bytes(answer.body)))
    return answer


def _at_the_case(intervention_id: str) -> Callable[[object], str]:
    """The Location of what a POST on a case creates: the case, which shows it."""
    return lambda _created: f"/v1/interventions/{intervention_id}"


@router.get("", summary="List interventions")
async def list_cases(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Literal["open", "closed"] | None = None,
    owner: Annotated[str | None, Query(max_length=320)] = None,
) -> Page[InterventionOut]:
    """Cases matching the filters, newest first; a project manager sees only their projects'."""
    where = InterventionFilter(
        project_id=project_id,
        status=status,
        owner=owner,
        managed_by=managed_by_filter(principal),
        or_in_portfolios=portfolios_filter(principal),
    )
    found = await find_interventions(session, where=where, page=page)
    return InterventionOut.page_of(found, page)


@router.get("/{intervention_id}", summary="Read one intervention")
async def read_case(
    intervention_id: str, principal: AnyRolePrincipal, session: SessionDep, response: Response
) -> InterventionOut:
    """One case, if the caller may see its project, with its ETag: the If-Match of the POSTs
    that change the case (owner, exception report, decision, actions)."""
    case = await load_intervention(session, intervention_id=intervention_id)
    ensure_can_read_intervention(principal, case)
    shown = InterventionOut.model_validate(case)
    tag_response(response, shown)
    return shown


@router.post(
    "/{intervention_id}/owner",
    summary="Make a PMO consultant the owner (PMO admins, portfolio managers)",
    responses=_CLOSED,
)
async def assign(
    intervention_id: str,
    body: OwnerIn,
    principal: BoardPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> InterventionOut:
    """Set the owner and publish intervention.assigned."""
    case = await _checked(session, principal, intervention_id, ensure_can_decide, if_match)
    assigned = await commands.assign_owner(
        session, intervention=case, owner=str(body.owner), assigned_by=actor_name(principal)
    )
    shown = InterventionOut.model_validate(assigned)
    tag_response(response, shown)
    return shown


@router.post(
    "/{intervention_id}/exception-report",
    status_code=201,
    response_model=InterventionOut,
    summary="File the exception report (the project's manager or PMO admins)",
    responses={409: {"description": "The case is closed or already has its report"}, 412: _STALE},
)
async def file_report(
    intervention_id: str,
    body: ExceptionReportIn,
    principal: AnyRolePrincipal,
    once: OnceDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Attach the report (one per case) and publish project.exception_reported."""

    async def file() -> InterventionOut:
        case = await _checked(
            once.session, principal, intervention_id, ensure_can_report_exception, if_match
        )
        report = body.filed_by(actor_name(principal))
        reported = await commands.file_exception_report(
            once.session, intervention=case, report=report
        )
        return InterventionOut.model_validate(reported)

    return _tagged(await once.run(body, file, location=_at_the_case(intervention_id)))


@router.post(
    "/{intervention_id}/decision",
    summary="Decide on the exception report (portfolio managers, PMO admins)",
    responses={
        409: {"description": "The case is closed or has no exception report yet"},
        412: _STALE,
    },
)
async def decide(
    intervention_id: str,
    body: DecisionIn,
    principal: BoardPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> InterventionOut:
    """Record the decision, publish project.exception_decided; premature_close closes the case."""
    case = await _checked(session, principal, intervention_id, ensure_can_decide, if_match)
    decided = await commands.decide(
        session, intervention=case, decision=body.decided_by(actor_name(principal))
    )
    shown = InterventionOut.model_validate(decided)
    tag_response(response, shown)
    return shown


@router.post(
    "/{intervention_id}/actions",
    status_code=201,
    response_model=ActionOut,
    summary="Add a recovery action (the project's manager, portfolio managers, PMO admins)",
    responses={
        409: {"description": "The case is closed or already holds its most actions"},
        412: _STALE,
    },
)
async def add_action(
    intervention_id: str,
    body: ActionIn,
    principal: AnyRolePrincipal,
    once: OnceDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Record the action; one due in the past is overdue at once. If-Match is the case's ETag;
    the answer's ETag is the new action's (the If-Match of marking it done)."""

    async def add() -> ActionOut:
        case = await _checked(
            once.session, principal, intervention_id, ensure_can_handle_actions, if_match
        )
        action = body.added_to(case.id, created_by=actor_name(principal))
        added = await commands.add_action(once.session, intervention=case, action=action)
        return ActionOut.model_validate(added)

    return _tagged(await once.run(body, add, location=_at_the_case(intervention_id)))


@router.patch(
    "/{intervention_id}/actions/{action_id}",
    summary="Mark a recovery action done (its owner, or who may add actions)",
    responses={**_CLOSED, 412: {"description": "If-Match does not match the action's ETag"}},
)
async def update_action(
    intervention_id: str,
    action_id: str,
    body: ActionPatchIn,
    principal: AnyRolePrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ActionOut:
    """Mark it done; the last one done closes the case of a project that has recovered.
    If-Match is the action's ETag (as adding it or marking it done answered)."""

    def may_complete(principal: Principal, case: Intervention) -> None:
        ensure_can_complete_action(principal, case, action_id)

    case = await _checked(session, principal, intervention_id, may_complete)
    action = next((a for a in case.actions if a.id == action_id), None)
    if action is None:
        raise not_found("action", action_id)
    require_match(if_match, ActionOut.model_validate(action))
    done = await commands.complete_action(
        session, intervention=case, action_id=action_id, actor=actor_name(principal)
    )
    shown = ActionOut.model_validate(done)
    tag_response(response, shown)
    return shown
