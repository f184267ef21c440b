"""Routes of escalation policies: who is told, and when, while an alert stays unacknowledged."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_notifications.api.access import (
    PolicyReaderPrincipal,
    PortfolioPrincipal,
    ensure_can_manage_policy,
)
from pmo_notifications.api.schemas import (
    EscalationPolicyIn,
    EscalationPolicyOut,
)
from pmo_notifications.domain.escalation_ladder import EscalationLevel, EscalationPolicy
from pmo_notifications.handlers import escalation_policy_commands as commands
from pmo_notifications.handlers import escalation_policy_queries as queries

router = APIRouter(prefix="/v1", tags=["escalation policies"])


def _policy(body: EscalationPolicyIn) -> EscalationPolicy:
    return commands.new_policy(
        name=body.name,
        portfolio_id=body.portfolio_id,
        levels=[
            EscalationLevel(after_seconds=level.after_seconds, notify=tuple(level.notify))
            for level in body.levels
        ],
        repeat=body.repeat,
    )


@router.post(
    "/escalation-policies",
    status_code=201,
    response_model=EscalationPolicyOut,
    summary="Create the escalation policy of a portfolio, or the default one (409 if it has one)",
)
async def create_policy_route(
    body: EscalationPolicyIn, principal: PortfolioPrincipal, session: SessionDep, once: OnceDep
) -> JSONResponse:
    """PMO admins create any policy; portfolio managers those of a portfolio."""
    ensure_can_manage_policy(principal, portfolio_id=body.portfolio_id)
    policy = _policy(body)
    return await once.run(
        body,
        lambda: EscalationPolicyOut.of_result(commands.create_policy(session, policy=policy)),
        location=lambda created: f"/v1/escalation-policies/{created.id}",
    )


@router.get("/escalation-policies", summary="List escalation policies (the default first)")
async def list_policies_route(
    principal: PolicyReaderPrincipal, session: SessionDep, page: PageDep
) -> Page[EscalationPolicyOut]:
    """A page of policies."""
    records = await queries.list_policies(session, page=page)
    return EscalationPolicyOut.page_of(records, page)


@router.get("/escalation-policies/{policy_id}", summary="Read one escalation policy")
async def get_policy_route(
    policy_id: str, principal: PolicyReaderPrincipal, session: SessionDep
) -> EscalationPolicyOut:
    """One policy."""
    return EscalationPolicyOut.model_validate(
        await queries.get_policy(session, policy_id=policy_id)
    )


@router.put("/escalation-policies/{policy_id}", summary="Replace an escalation policy")
async def replace_policy_route(
    policy_id: str, body: EscalationPolicyIn, principal: PortfolioPrincipal, session: SessionDep
) -> EscalationPolicyOut:
    """Replace the whole policy; alerts climbing it follow the new levels from their next step."""
    known = await queries.get_policy(session, policy_id=policy_id)
    ensure_can_manage_policy(principal, portfolio_id=known.portfolio_id)
    ensure_can_manage_policy(principal, portfolio_id=body.portfolio_id)
    updated = await commands.replace_policy(session, policy_id=policy_id, content=_policy(body))
    return EscalationPolicyOut.model_validate(updated)


@router.delete(
    "/escalation-policies/{policy_id}", status_code=204, summary="Delete an escalation policy"
)
async def delete_policy_route(
    policy_id: str, principal: PortfolioPrincipal, session: SessionDep
) -> Response:
    """Delete a policy: alerts climbing it stop; deleting the default leaves only portfolios
    with a policy of their own escalating."""
    known = await queries.get_policy(session, policy_id=policy_id)
    ensure_can_manage_policy(principal, portfolio_id=known.portfolio_id)
    await commands.delete_policy(session, policy_id=policy_id)
    return Response(status_code=204)
