"""Reads of subscriptions (and of the project one subscribes to) the API needs."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import subscription_repository
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.db.subscription_repository import list_subscriptions
from pmo_notifications.domain.delivery_grouping import GroupableSubscription
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.handlers.problems import found

# Page reads need nothing beyond the repository's query: served as they are.
__all__ = ["get_subscription", "list_subscriptions", "project_to_subscribe_to"]


async def get_subscription(session: AsyncSession, *, subscription_id: str) -> GroupableSubscription:
    """The live subscription with this id; 404 when there is none."""
    subscription = await subscription_repository.get_subscription(
        session, subscription_id=subscription_id
    )
    return found(subscription, "subscription", subscription_id)


async def project_to_subscribe_to(
    session: AsyncSession, *, project_id: str | None
) -> ProjectRecord | None:
    """What is known of the project a subscription names (None when it names none).

    The read ends its transaction: vetting the target next may wait on DNS, and that must not
    hold a database transaction open.
    """
    if project_id is None:
        return None
    async with unit_of_work(session):
        return await get_project(session, project_id=project_id)
