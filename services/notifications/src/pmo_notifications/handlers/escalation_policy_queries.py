"""Reads of escalation policies the API needs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import escalation_policy_repository
from pmo_notifications.db.escalation_policy_repository import list_policies
from pmo_notifications.domain.escalation_ladder import EscalationPolicy
from pmo_notifications.handlers.problems import found

# Page reads need nothing beyond the repository's query: served as they are.
__all__ = ["get_policy", "list_policies"]


async def get_policy(
    session: AsyncSession, *, policy_id: str, for_update: bool = False
) -> EscalationPolicy:
    """The policy with this id (locked for the transaction when `for_update`); 404 when there
    is none."""
    policy = await escalation_policy_repository.get_policy(
        session, policy_id=policy_id, for_update=for_update
    )
    return found(policy, "escalation policy", policy_id)
