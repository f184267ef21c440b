"""Routes of escalation policies: who is told, and when, while an alert stays unacknowledged."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.principal import Principal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, require_match, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_notifications.api.access import (
    PolicyReaderPrincipal,
    PortfolioPrincipal,
    ensure_can_manage_policy,
    limited_to_allowed_email_domains,
)
from pmo_notifications.api.dependencies import SettingsDep
from pmo_notifications.api.preconditions import stale_tag_responses, tagged
from pmo_notifications.api.schemas import (
    EscalationPolicyIn,
    EscalationPolicyOut,
)
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.escalation_ladder import EscalationLevel, EscalationPolicy
from pmo_notifications.handlers import escalation_policy_commands as commands
from pmo_notifications.handlers import escalation_policy_queries as queries

router = APIRouter(prefix="/v1", tags=["escalation policies"])


def _policy(
    body: EscalationPolicyIn, principal: Principal, settings: NotificationsSettings
) -> EscalationPolicy:
    # Addresses named outright follow the same allow-list as e-mail subscriptions.
    policy = commands.new_policy(
        name=body.name,
        portfolio_id=body.portfolio_id,
        levels=[
            EscalationLevel(after_seconds=level.after_seconds, notify=tuple(level.notify))
            for level in body.levels
        ],
        repeat=body.repeat,
    )
    if limited_to_allowed_email_domains(principal):
        commands.ensure_addresses_allowed(policy, settings.allowed_email_domains)
    return policy


def _may_change(principal: Principal, if_match: str | None) -> commands.PolicyCheck:
    def check(known: EscalationPolicy) -> None:
        ensure_can_manage_policy(principal, portfolio_id=known.portfolio_id)
        require_match(if_match, EscalationPolicyOut.model_validate(known))

    return check


_STALE = stale_tag_responses("policy")


@router.post(
    "/escalation-policies",
    status_code=201,
    response_model=EscalationPolicyOut,
    summary="Create the escalation policy of a portfolio, or the default one (409 if it has one)",
)
async def create_policy_route(
    body: EscalationPolicyIn,
    principal: PortfolioPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    """PMO admins create any policy; portfolio managers those of a portfolio, naming e-mail
    addresses only in the domains PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS lists (422 naming
    `body.levels.N.notify.M`)."""
    ensure_can_manage_policy(principal, portfolio_id=body.portfolio_id)
    policy = _policy(body, principal, settings)
    answer = await once.run(
        body,
        lambda: EscalationPolicyOut.of_result(commands.create_policy(session, policy=policy)),
        location=lambda created: f"/v1/escalation-policies/{created.id}",
    )
    return tagged(answer)


@router.get("/escalation-policies", summary="List escalation policies (the default first)")
async def list_policies_route(
    principal: PolicyReaderPrincipal, session: SessionDep, page: PageDep
) -> Page[EscalationPolicyOut]:
    """A page of policies."""
    records = await queries.list_policies(session, page=page)
    return EscalationPolicyOut.page_of(records, page)


@router.get("/escalation-policies/{policy_id}", summary="Read one escalation policy")
async def get_policy_route(
    policy_id: str, principal: PolicyReaderPrincipal, session: SessionDep, response: Response
) -> EscalationPolicyOut:
    """One policy, with its ETag."""
    shown = EscalationPolicyOut.model_validate(
        await queries.get_policy(session, policy_id=policy_id)
    )
    tag_response(response, shown)
    return shown


@router.put(
    "/escalation-policies/{policy_id}", summary="Replace an escalation policy", responses=_STALE
)
async def replace_policy_route(
    policy_id: str,
    body: EscalationPolicyIn,
    principal: PortfolioPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> EscalationPolicyOut:
    """Replace the whole policy; alerts climbing it follow the new levels from their next step.
    The same rules as creating apply to the new content, and to the policy it replaces. With
    If-Match, only while the policy is as the caller read it (412 otherwise)."""
    ensure_can_manage_policy(principal, portfolio_id=body.portfolio_id)
    updated = await commands.replace_policy(
        session,
        policy_id=policy_id,
        content=_policy(body, principal, settings),
        may_change=_may_change(principal, if_match),
    )
    shown = EscalationPolicyOut.model_validate(updated)
    tag_response(response, shown)
    return shown


@router.delete(
    "/escalation-policies/{policy_id}",
    status_code=204,
    summary="Delete an escalation policy",
    responses=_STALE,
)
async def delete_policy_route(
    policy_id: str, principal: PortfolioPrincipal, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Delete a policy: alerts climbing it stop; deleting the default leaves only portfolios
    with a policy of their own escalating. With If-Match, only while it is as the caller read
    it (412 otherwise)."""
    await commands.delete_policy(
        session, policy_id=policy_id, may_change=_may_change(principal, if_match)
    )
    return Response(status_code=204)
