"""Routes of subscriptions: create (secret shown once), list, read, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    ensure_can_manage_subscription,
    ensure_can_subscribe,
    limited_to_allowed_email_domains,
    sees_all_subscriptions,
)
from pmo_notifications.api.dependencies import SettingsDep
from pmo_notifications.api.preconditions import stale_tag_responses, still_as_read, tagged
from pmo_notifications.api.schemas import (
    Channel,
    ReferenceId,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
)
from pmo_notifications.domain.delivery_grouping import GroupableSubscription, GroupingWindow
from pmo_notifications.handlers import subscription_commands, subscription_queries

router = APIRouter(prefix="/v1", tags=["subscriptions"])


async def _own_subscription(
    subscription_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> GroupableSubscription:
    # 404 when there is none, 403 when it is someone else's (and the caller is no PMO admin).
    subscription = await subscription_queries.get_subscription(
        session, subscription_id=subscription_id
    )
    ensure_can_manage_subscription(principal, subscription)
    return subscription


OwnSubscription = Annotated[GroupableSubscription, Depends(_own_subscription)]


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionCreated,
    summary="Subscribe to events by e-mail or webhook (a webhook's secret is shown only here), "
    "each event at once or grouped per portfolio",
)
async def create_subscription_route(
    body: SubscriptionCreate,
    principal: AnyRolePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    """Create a subscription; PMO admins and portfolio managers to anything, project managers
    only to a project they manage. Others than PMO admins subscribe e-mail addresses only in
    the domains PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS lists (422 naming `target`).
    With `group_wait_seconds` above 0 the events of one portfolio go out together (ADR 0017);
    `group_interval_seconds` without a wait is refused (422 naming it)."""
    project = await subscription_queries.project_to_subscribe_to(
        session, project_id=body.project_id
    )
    ensure_can_subscribe(
        principal, project_id=body.project_id, project=project, portfolio_id=body.portfolio_id
    )
    vetted = await subscription_commands.vet_subscription(
        settings,
        channel=body.channel,
        target=body.target,
        event_types=body.event_types,
        limit_email_domains=limited_to_allowed_email_domains(principal),
        window=GroupingWindow(body.group_wait_seconds, body.group_interval_seconds),
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
            locale=body.locale,
        )
        return SubscriptionCreated.model_validate(subscription)

    # The ETag is the subscription's as GET shows it: without the secret, shown only here.
    return tagged(await once.run(body, create), hidden=("secret",))


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
        page=page,
    )
    return SubscriptionOut.page_of(records, page)


@router.get("/subscriptions/{subscription_id}", summary="Read one subscription")
async def get_subscription_route(
    subscription: OwnSubscription, response: Response
) -> SubscriptionOut:
    """One of the caller's subscriptions (any, for PMO admins), with its ETag."""
    shown = SubscriptionOut.model_validate(subscription)
    tag_response(response, shown)
    return shown


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Delete a subscription",
    responses=stale_tag_responses("subscription"),
)
async def delete_subscription_route(
    subscription: OwnSubscription, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Stop a subscription; deliveries already planned for it are skipped. With If-Match, only
    while it is as the caller read it (412 otherwise, or when it was deleted meanwhile)."""
    await subscription_commands.delete_subscription(
        session,
        subscription_id=subscription.id,
        check=still_as_read(if_match, SubscriptionOut.model_validate),
    )
    return Response(status_code=204)
