"""Reads and writes of subscriptions (soft-deleted, so past deliveries keep their context)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import subscriptions
from pmo_notifications.db.timestamps import as_utc, as_utc_or_none
from pmo_notifications.domain.subscription_matching import RoutingRule


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A subscription as stored."""

    id: str
    owner: str
    owner_email: str | None
    channel: str
    target: str
    event_types: tuple[str, ...]
    project_id: str | None
    portfolio_id: str | None
    min_severity: str
    secret: str | None
    created_at: datetime
    deleted_at: datetime | None = None

    @property
    def rule(self) -> RoutingRule:
        """What the subscription asks to receive."""
        return RoutingRule(
            event_types=frozenset(self.event_types),
            project_id=self.project_id,
            portfolio_id=self.portfolio_id,
            min_severity=self.min_severity,
        )


def _record(row: Row[Any]) -> SubscriptionRecord:
    return SubscriptionRecord(
        id=row.id,
        owner=row.owner,
        owner_email=row.owner_email,
        channel=row.channel,
        target=row.target,
        event_types=tuple(row.event_types),
        project_id=row.project_id,
        portfolio_id=row.portfolio_id,
        min_severity=row.min_severity,
        secret=row.secret,
        created_at=as_utc(row.created_at),
        deleted_at=as_utc_or_none(row.deleted_at),
    )


async def insert_subscription(session: AsyncSession, *, subscription: SubscriptionRecord) -> None:
    """Store a new subscription."""
    await session.execute(
        insert(subscriptions).values(
            id=subscription.id,
            owner=subscription.owner,
            owner_email=subscription.owner_email,
            channel=subscription.channel,
            target=subscription.target,
            event_types=list(subscription.event_types),
            project_id=subscription.project_id,
            portfolio_id=subscription.portfolio_id,
            min_severity=subscription.min_severity,
            secret=subscription.secret,
            created_at=subscription.created_at,
            deleted_at=None,
        )
    )


async def get_subscription(
    session: AsyncSession, *, subscription_id: str, include_deleted: bool = False
) -> SubscriptionRecord | None:
    """The subscription with this id (deleted ones only when asked)."""
    query = select(subscriptions).where(subscriptions.c.id == subscription_id)
    if not include_deleted:
        query = query.where(subscriptions.c.deleted_at.is_(None))
    row = (await session.execute(query)).first()
    return None if row is None else _record(row)


async def list_subscriptions(
    session: AsyncSession,
    *,
    owner: str | None,
    channel: str | None,
    project_id: str | None,
    limit: int,
    offset: int,
) -> list[SubscriptionRecord]:
    """A page of live subscriptions, oldest first (only `owner`'s when given)."""
    query = select(subscriptions).where(subscriptions.c.deleted_at.is_(None))
    if owner is not None:
        query = query.where(subscriptions.c.owner == owner)
    if channel is not None:
        query = query.where(subscriptions.c.channel == channel)
    if project_id is not None:
        query = query.where(subscriptions.c.project_id == project_id)
    query = query.order_by(subscriptions.c.created_at, subscriptions.c.id)
    rows = await session.execute(query.limit(limit).offset(offset))
    return [_record(row) for row in rows]


async def delete_subscription(session: AsyncSession, *, subscription_id: str, at: datetime) -> None:
    """Retire a subscription: it receives nothing more."""
    await session.execute(
        update(subscriptions).where(subscriptions.c.id == subscription_id).values(deleted_at=at)
    )


async def subscriptions_in_scope(
    session: AsyncSession, *, project_id: str | None, portfolio_id: str | None
) -> list[SubscriptionRecord]:
    """Live subscriptions whose project and portfolio filters do not exclude this scope."""
    query = select(subscriptions).where(
        subscriptions.c.deleted_at.is_(None),
        or_(subscriptions.c.project_id.is_(None), subscriptions.c.project_id == project_id),
        or_(subscriptions.c.portfolio_id.is_(None), subscriptions.c.portfolio_id == portfolio_id),
    )
    return [_record(row) for row in await session.execute(query.order_by(subscriptions.c.id))]


def owned_subscription_ids(owner: str) -> Select[tuple[str]]:
    """A subquery of the ids of subscriptions `owner` created (deleted ones included)."""
    return select(subscriptions.c.id).where(subscriptions.c.owner == owner)
