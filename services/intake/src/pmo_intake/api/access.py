"""Who may see and change which projects, requests, portfolios and programmes.

Portfolio roles (ADR 0026, replacing ADR 0008's "portfolio managers act for every portfolio"):
a caller acts as portfolio manager of portfolio P only when their token has the
`portfolio_manager` role AND they are a `portfolio_manager` member of P; any member of P
(either role) reads P's projects and requests; PMO admins do everything; the global `viewer`
role (and services) read everything; project managers keep their own projects, requesters
their own requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends
from pmo_common.auth.dependencies import CurrentPrincipal, forbid, require_roles
from pmo_common.auth.principal import Principal
from pmo_common.portfolios.scope import ScopedPrincipal, with_scope
from pmo_common.web.app_factory import SessionDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.domain.baselines import CONTROLLED_FIELDS, ChangeRequest, controlled
from pmo_intake.domain.portfolio_roles import ListScope
from pmo_intake.domain.records import Baseline, Program, Project, ProjectRequest
from pmo_intake.handlers import (
    portfolio_member_queries,
    project_portfolio,
    project_queries,
    request_queries,
)

REGISTRY_EDITORS = ("pmo_admin", "portfolio_manager")
RegistryEditor = Annotated[Principal, Depends(require_roles(*REGISTRY_EDITORS))]
Requester = Annotated[
    Principal, Depends(require_roles("pmo_admin", "portfolio_manager", "project_manager"))
]
Admin = Annotated[Principal, Depends(require_roles("pmo_admin"))]
# Who may read the shared scoring models (portfolio-wide demand work is scoped below).
Reviewer = RegistryEditor


async def caller_of(principal: Principal, session: AsyncSession) -> ScopedPrincipal:
    """The caller with the portfolios they read and act for, from the membership table."""
    return with_scope(principal, await portfolio_member_queries.scope_of(session, principal))


async def current_caller(principal: CurrentPrincipal, session: SessionDep) -> ScopedPrincipal:
    """The authenticated caller with their portfolio scope (a route dependency)."""
    return await caller_of(principal, session)


CallerDep = Annotated[ScopedPrincipal, Depends(current_caller)]


def ensure_manages_portfolio(caller: ScopedPrincipal, portfolio_id: str | None, what: str) -> None:
    """403 unless the caller manages the portfolio (`what` says what they tried)."""
    if not caller.manages_portfolio(portfolio_id):
        raise forbid(f"Only a PMO admin or a portfolio manager of its portfolio can {what}.")


# --- projects -------------------------------------------------------------------------------


def _ensure_reads(
    caller: ScopedPrincipal, own: str | None, portfolio_id: str | None, refusal: str
) -> None:
    """403 (`refusal`) unless the record is the caller's `own` (by e-mail), or of a portfolio
    they read."""
    if not (caller.manages(own) or caller.reads_portfolio(portfolio_id)):
        raise forbid(refusal)


def ensure_can_read_project(caller: ScopedPrincipal, project: Project) -> None:
    """A project is read by its manager, by members of its portfolio and by those who read
    everything."""
    refusal = "You can only read projects you manage or of portfolios you are a member of."
    _ensure_reads(caller, project.manager, project.portfolio_id, refusal)


async def readable_project(
    project_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Project:
    """The project at the path, when the caller may read it (404, 403 otherwise)."""
    project = await project_queries.get_project(session, project_id=project_id)
    ensure_can_read_project(await caller_of(principal, session), project)
    return project


ReadableProject = Annotated[Project, Depends(readable_project)]


def _list_scope(caller: ScopedPrincipal, own: str | None) -> ListScope | None:
    """What a list may show the caller: None (everything), or the records naming `own` and
    those of the portfolios they are a member of."""
    portfolios = caller.read_portfolios
    return None if portfolios is None else ListScope(email=own, portfolio_ids=portfolios)


def project_scope(caller: ScopedPrincipal) -> ListScope | None:
    """What a list of projects may show the caller (None: every project)."""
    return _list_scope(caller, caller.email)


def ensure_can_patch_project(principal: Principal, project_id: str, fields: set[str]) -> None:
    """Only PMO admins change baseline fields directly (anyone else files a change request);
    the other fields stay with PMO admins and portfolio managers."""
    if principal.has_any_role("pmo_admin"):
        return
    if baseline_fields := controlled(fields):
        route = f"POST /v1/projects/{project_id}/change-requests"
        raise forbid(
            f"The baseline ({', '.join(CONTROLLED_FIELDS)}) changes through a change request: "
            f"{route} (refused: {', '.join(baseline_fields)})."
        )
    if not principal.has_any_role(*REGISTRY_EDITORS):
        raise forbid(f"This action needs one of the roles: {', '.join(REGISTRY_EDITORS)}.")


async def ensure_can_register_project(
    principal: Principal, session: AsyncSession, baseline: Baseline
) -> None:
    """PMO admins register anywhere; a portfolio manager only in a portfolio they manage (the
    programme's, for a project under a programme)."""
    if principal.has_any_role("pmo_admin"):
        return
    portfolio_id = await project_portfolio.effective_portfolio(session, baseline)
    caller = await caller_of(principal, session)
    ensure_manages_portfolio(caller, portfolio_id, "register a project in it")


async def ensure_manages_project(
    principal: Principal,
    session: AsyncSession,
    project_id: str,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """PMO admins change any project; a portfolio manager only those of a portfolio they
    manage, and moves one (its portfolio or programme) only into such a portfolio (404 for an
    unknown project)."""
    if principal.has_any_role("pmo_admin"):
        return
    project = await project_queries.get_project(session, project_id=project_id)
    caller = await caller_of(principal, session)
    ensure_manages_portfolio(caller, project.portfolio_id, "change this project")
    if changes and changes.keys() & {"portfolio_id", "program_id"}:
        moved = replace(project, **changes)
        destination = await project_portfolio.effective_portfolio(session, moved)
        ensure_manages_portfolio(caller, destination, "move a project into it")


async def project_closer(
    project_id: str, principal: RegistryEditor, session: SessionDep
) -> Principal:
    """Who closes the project at the path: a PMO admin, or a manager of its portfolio."""
    await ensure_manages_project(principal, session, project_id)
    return principal


ProjectCloser = Annotated[Principal, Depends(project_closer)]


# --- change requests of baselines -----------------------------------------------------------


def ensure_can_request_change(principal: Principal, project: Project) -> None:
    """The project's manager, or a PMO admin, proposes changes to its baseline."""
    if principal.has_any_role("pmo_admin") or principal.manages(project.manager):
        return
    raise forbid("Only the project's manager or a PMO admin can request a baseline change.")


async def baseline_decider(
    project_id: str, principal: RegistryEditor, session: SessionDep
) -> Principal:
    """A PMO admin, or a portfolio manager of the project's portfolio (404 for an unknown
    project, once the role is checked)."""
    project = await project_queries.get_project(session, project_id=project_id)
    caller = await caller_of(principal, session)
    ensure_manages_portfolio(caller, project.portfolio_id, "decide this project's change requests")
    return principal


BaselineDecider = Annotated[Principal, Depends(baseline_decider)]


def ensure_can_decide_change(principal: Principal, request: ChangeRequest) -> None:
    """Whoever requested a change does not decide it (the role is checked by `BaselineDecider`)."""
    if principal.manages(request.requested_by) or principal.subject == request.requested_by:
        raise forbid("A change request is decided by someone other than its requester.")


# --- project requests (demand) --------------------------------------------------------------


def ensure_can_read_request(caller: ScopedPrincipal, request: ProjectRequest) -> None:
    """A request is read by its requester, by members of its portfolio and by those who read
    everything."""
    refusal = "You can only see requests you made or of portfolios you are a member of."
    _ensure_reads(caller, request.requested_by, request.portfolio_id, refusal)


async def readable_request(
    request_id: str, principal: Principal, session: AsyncSession
) -> ProjectRequest:
    """The request at the path, when the caller may read it (404, 403 otherwise)."""
    request = await request_queries.get_request(session, request_id=request_id)
    ensure_can_read_request(await caller_of(principal, session), request)
    return request


def request_scope(caller: ScopedPrincipal) -> ListScope | None:
    """What a list of requests may show the caller (None: every request)."""
    return _list_scope(caller, requester_name(caller))


def ensure_can_change_request(principal: Principal, request: ProjectRequest) -> None:
    """Only the requester or a PMO admin changes a request."""
    _ensure_requester_or_admin(principal, request, "change")


def ensure_can_submit_request(principal: Principal, request: ProjectRequest) -> None:
    """Only the requester or a PMO admin submits a request."""
    _ensure_requester_or_admin(principal, request, "submit")


def _ensure_requester_or_admin(principal: Principal, request: ProjectRequest, verb: str) -> None:
    if principal.has_any_role("pmo_admin") or principal.manages(request.requested_by):
        return
    raise forbid(f"Only the requester or a PMO admin can {verb} a request.")


async def request_reviewer(
    request_id: str, principal: RegistryEditor, session: SessionDep
) -> Principal:
    """Who scores, recommends or returns a request: a PMO admin, or a portfolio manager of
    the request's portfolio."""
    request = await request_queries.get_request(session, request_id=request_id)
    caller = await caller_of(principal, session)
    ensure_manages_portfolio(caller, request.portfolio_id, "review this request")
    return principal


RequestReviewer = Annotated[Principal, Depends(request_reviewer)]


async def portfolio_reviewer(
    portfolio_id: str, principal: RegistryEditor, session: SessionDep
) -> Principal:
    """Who works on the demand of the portfolio at the path (budgets, scenarios): a PMO admin,
    or a portfolio manager of that portfolio."""
    caller = await caller_of(principal, session)
    ensure_manages_portfolio(caller, portfolio_id, "work on this portfolio's demand")
    return principal


PortfolioReviewer = Annotated[Principal, Depends(portfolio_reviewer)]


# --- portfolios, their members, programmes --------------------------------------------------


async def portfolio_manager(
    portfolio_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Principal:
    """A PMO admin, or a portfolio manager of the portfolio at the path: who changes it and
    its members."""
    ensure_manages_portfolio(await caller_of(principal, session), portfolio_id, "change it")
    return principal


PortfolioManager = Annotated[Principal, Depends(portfolio_manager)]


async def portfolio_reader(
    portfolio_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Principal:
    """Whoever reads everything, or a member of the portfolio at the path: who reads its
    members."""
    if not (await caller_of(principal, session)).reads_portfolio(portfolio_id):
        raise forbid("Only members of the portfolio and PMO admins can see its members.")
    return principal


PortfolioReader = Annotated[Principal, Depends(portfolio_reader)]


def ensure_can_create_program(caller: ScopedPrincipal, portfolio_id: str | None) -> None:
    """A programme inside a portfolio is created by a PMO admin or a manager of that portfolio."""
    if portfolio_id is not None:
        ensure_manages_portfolio(caller, portfolio_id, "add a programme to it")


def ensure_can_change_program(
    caller: ScopedPrincipal, program: Program, moved_to: str | None
) -> None:
    """A programme is changed by a PMO admin, its owner or a manager of its portfolio; moving
    it to another portfolio (which re-homes its projects) needs a PMO admin or a manager of
    both portfolios."""
    if moved_to != program.portfolio_id:
        for portfolio_id in (program.portfolio_id, moved_to):
            if portfolio_id is not None:
                ensure_manages_portfolio(caller, portfolio_id, "move a programme out of or into it")
        return
    if caller.manages(program.owner) or caller.manages_portfolio(program.portfolio_id):
        return
    raise forbid("Only a PMO admin, the owner or a manager of its portfolio can change it.")


def requester_name(principal: Principal) -> str:
    """How a request or a decision names the caller."""
    return principal.email or principal.subject
