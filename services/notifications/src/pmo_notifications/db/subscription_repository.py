"""Reads and writes of subscriptions (soft-deleted, so past deliveries keep their context)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pmo_common.db.rows import fetch_all, fetch_one, fetch_page, matching, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import subscriptions
from pmo_notifications.domain.delivery_grouping import GroupableSubscription
from pmo_notifications.domain.subscription_matching import SubscriptionRecord


def _record(row: RowMapping) -> GroupableSubscription:
    # Every subscription is read with its grouping window (both 0 when it does not group).
    return record_from(GroupableSubscription, row, event_types=tuple(row["event_types"]))


async def insert_subscription(session: AsyncSession, *, subscription: SubscriptionRecord) -> None:
    """Store a new subscription."""
    await session.execute(
        insert(subscriptions).values(
            **values_of(subscription, event_types=list(subscription.event_types))
        )
    )


async def get_subscription(
    session: AsyncSession,
    *,
    subscription_id: str,
    include_deleted: bool = False,
    for_update: bool = False,
) -> GroupableSubscription | None:
    """The subscription with this id (deleted ones only when asked; locked for the
    transaction when `for_update`)."""
    query = select(subscriptions).where(subscriptions.c.id == subscription_id)
    if not include_deleted:
        query = query.where(subscriptions.c.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return await fetch_one(session, query, _record)


async def live_secrets(
    session: AsyncSession, *, subscription_ids: Collection[str]
) -> dict[str, str]:
    """The signing secret of each live subscription named (deleted ones are left out)."""
    if not subscription_ids:
        return {}
    rows = await session.execute(
        select(subscriptions.c.id, subscriptions.c.secret).where(
            subscriptions.c.id.in_(sorted(set(subscription_ids))),
            subscriptions.c.deleted_at.is_(None),
            subscriptions.c.secret.is_not(None),
        )
    )
    return {row.id: row.secret for row in rows}


async def list_subscriptions(
    session: AsyncSession,
    *,
    owner: str | None,
    channel: str | None,
    project_id: str | None,
    page: PageRequest,
) -> list[GroupableSubscription]:
    """A page of live subscriptions, oldest first (only `owner`'s when given)."""
    query = matching(
        select(subscriptions).where(subscriptions.c.deleted_at.is_(None)),
        (subscriptions.c.owner, owner),
        (subscriptions.c.channel, channel),
        (subscriptions.c.project_id, project_id),
    )
    query = query.order_by(subscriptions.c.created_at, subscriptions.c.id)
    return await fetch_page(session, query, _record, page)


async def delete_subscription(session: AsyncSession, *, subscription_id: str, at: datetime) -> None:
    """Retire a subscription: it receives nothing more."""
    await session.execute(
        update(subscriptions).where(subscriptions.c.id == subscription_id).values(deleted_at=at)
    )


async def subscriptions_in_scope(
    session: AsyncSession, *, project_id: str | None, portfolio_ids: Collection[str]
) -> list[SubscriptionRecord]:
    """Live subscriptions whose project and portfolio filters do not exclude this scope.

    A scope may span several portfolios (the projection's and the signal's), so one read serves
    every event routed for the project.
    """
    query = select(subscriptions).where(
        subscriptions.c.deleted_at.is_(None),
        or_(subscriptions.c.project_id.is_(None), subscriptions.c.project_id == project_id),
        or_(
            subscriptions.c.portfolio_id.is_(None),
            subscriptions.c.portfolio_id.in_(list(portfolio_ids)),
        ),
    )
    return await fetch_all(session, query.order_by(subscriptions.c.id), _record)


async def live_subscriptions(session: AsyncSession, *, limit: int) -> list[SubscriptionRecord]:
    """Up to `limit` live subscriptions, whatever their scope, by id."""
    query = select(subscriptions).where(subscriptions.c.deleted_at.is_(None))
    return await fetch_all(session, query.order_by(subscriptions.c.id).limit(limit), _record)


def owned_subscription_ids(owner: str) -> Select[tuple[str]]:
    """A subquery of the ids of subscriptions `owner` created (deleted ones included)."""
    return select(subscriptions.c.id).where(subscriptions.c.owner == owner)
