"""Routes of subscriptions: create (secret shown once), list, read, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import forbid
from pmo_common.auth.principal import Principal
from pmo_common.problems import ProblemException, not_found
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import IdempotencyKey, fingerprint, remember, replay
from pmo_common.web.pagination import Page, PageDep, make_page
from sqlalchemy.exc import IntegrityError

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    check_may_subscribe,
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
from pmo_notifications.db.project_repository import get_project
from pmo_notifications.db.subscription_repository import (
    SubscriptionRecord,
    delete_subscription,
    get_subscription,
    list_subscriptions,
)
from pmo_notifications.db.tables import messaging
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.handlers.subscription_commands import (
    checked_event_types,
    checked_target,
    create_subscription,
)

router = APIRouter(prefix="/v1", tags=["subscriptions"])
CONCURRENT_KEY = ProblemException(
    409,
    "Request in progress",
    "Another request with this Idempotency-Key was handled at the same moment; "
    "send it again to get its answer.",
)


def subscription_out(subscription: SubscriptionRecord) -> SubscriptionOut:
    """The API view of a subscription, without its secret."""
    return SubscriptionOut(
        id=subscription.id,
        owner=subscription.owner,
        channel=subscription.channel,  # type: ignore[arg-type]  # stored values are validated
        target=subscription.target,
        event_types=list(subscription.event_types),
        portfolio_id=subscription.portfolio_id,
        project_id=subscription.project_id,
        min_severity=subscription.min_severity,  # type: ignore[arg-type]
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
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Create a subscription; PMO admins and portfolio managers to anything, project managers
    only to a project they manage."""
    request_hash = fingerprint(body.model_dump(mode="json"))
    replayed = await replay(session, messaging, principal, idempotency_key, request_hash)
    if replayed is not None:
        return replayed
    project = await get_project(session, project_id=body.project_id) if body.project_id else None
    check_may_subscribe(principal, project_id=body.project_id, project=project)
    # The DNS lookup behind the SSRF check must not hold a database transaction open.
    await session.rollback()
    event_types = checked_event_types(body.event_types)
    target = await checked_target(
        body.channel, body.target, allow_private=settings.webhook_allow_private
    )
    try:
        async with session.begin():
            subscription = await create_subscription(
                session,
                owner=principal.subject,
                owner_email=principal.email,
                channel=body.channel,
                target=target,
                event_types=event_types,
                project_id=body.project_id,
                portfolio_id=body.portfolio_id,
                min_severity=body.min_severity,
            )
            created = SubscriptionCreated(
                **subscription_out(subscription).model_dump(), secret=subscription.secret
            )
            answer = created.model_dump(mode="json")
            await remember(
                session, messaging, principal, idempotency_key, request_hash, 201, answer
            )
    except IntegrityError as exc:
        raise CONCURRENT_KEY from exc
    return JSONResponse(answer, status_code=201)


@router.get("/subscriptions", summary="List one's own subscriptions (PMO admins: all)")
async def list_subscriptions_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    channel: Channel | None = None,
    project_id: ReferenceId | None = None,
) -> Page[SubscriptionOut]:
    """A page of live subscriptions, oldest first."""
    records = await list_subscriptions(
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
    subscription = await _owned(session, subscription_id, principal)
    return subscription_out(subscription)


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Delete a subscription")
async def delete_subscription_route(
    subscription_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> Response:
    """Stop a subscription; deliveries already planned for it are skipped."""
    async with session.begin():
        await _owned(session, subscription_id, principal)
        await delete_subscription(session, subscription_id=subscription_id, at=utc_now())
    return Response(status_code=204)


async def _owned(
    session: SessionDep, subscription_id: str, principal: Principal
) -> SubscriptionRecord:
    subscription = await get_subscription(session, subscription_id=subscription_id)
    if subscription is None:
        raise not_found("subscription", subscription_id)
    if subscription.owner != principal.subject and not sees_all_subscriptions(principal):
        raise forbid("This subscription belongs to someone else.")
    return subscription
