"""Routes of subscriptions: create (secret shown once), list, read, delete."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    ensure_can_manage_subscription,
    ensure_can_subscribe,
    sees_all_subscriptions,
)
from pmo_notifications.api.dependencies import SettingsDep
from pmo_notifications.api.schemas import (
    Channel,
    ReferenceId,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
)
from pmo_notifications.domain.subscription_matching import SubscriptionRecord
from pmo_notifications.handlers import subscription_commands, subscription_queries

router = APIRouter(prefix="/v1", tags=["subscriptions"])


def subscription_out(subscription: SubscriptionRecord) -> SubscriptionOut:
    """The API view of a subscription, without its secret."""
    return SubscriptionOut(
        id=subscription.id,
        owner=subscription.owner,
        channel=subscription.channel,
        target=subscription.target,
        event_types=list(subscription.event_types),
        portfolio_id=subscription.portfolio_id,
        project_id=subscription.project_id,
        min_severity=subscription.min_severity,
        created_at=subscription.created_at,
    )


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionCreated,
    summary="Subscribe to events by e-mail or webhook (a webhook's secret is shown only here)",
)
async def create_subscription_route(
    body: SubscriptionCreate,
    principal: AnyRolePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    """Create a subscription; PMO admins and portfolio managers to anything, project managers
    only to a project they manage."""
    project = await subscription_queries.project_to_subscribe_to(
        session, project_id=body.project_id
    )
    ensure_can_subscribe(principal, project_id=body.project_id, project=project)
    vetted = await subscription_commands.vet_subscription(
        settings, channel=body.channel, target=body.target, event_types=body.event_types
    )

    async def create() -> SubscriptionCreated:
        subscription = await subscription_commands.create_subscription(
            session,
            vetted=vetted,
            owner=principal.subject,
            owner_email=principal.email,
            project_id=body.project_id,
            portfolio_id=body.portfolio_id,
            min_severity=body.min_severity,
        )
        return SubscriptionCreated(
            **subscription_out(subscription).model_dump(), secret=subscription.secret
        )

    return await once.run(body, create)


@router.get("/subscriptions", summary="List one's own subscriptions (PMO admins: all)")
async def list_subscriptions_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    channel: Channel | None = None,
    project_id: ReferenceId | None = None,
) -> Page[SubscriptionOut]:
    """A page of live subscriptions, oldest first."""
    records = await subscription_queries.list_subscriptions(
        session,
        owner=None if sees_all_subscriptions(principal) else principal.subject,
        channel=channel,
        project_id=project_id,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([subscription_out(record) for record in records], page)


@router.get("/subscriptions/{subscription_id}", summary="Read one subscription")
async def get_subscription_route(
    subscription_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> SubscriptionOut:
    """One of the caller's subscriptions (any, for PMO admins)."""
    subscription = await subscription_queries.get_subscription(
        session, subscription_id=subscription_id
    )
    ensure_can_manage_subscription(principal, subscription)
    return subscription_out(subscription)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Delete a subscription")
async def delete_subscription_route(
    subscription_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> Response:
    """Stop a subscription; deliveries already planned for it are skipped."""
    subscription = await subscription_queries.get_subscription(
        session, subscription_id=subscription_id
    )
    ensure_can_manage_subscription(principal, subscription)
    await subscription_commands.delete_subscription(session, subscription_id=subscription_id)
    return Response(status_code=204)
