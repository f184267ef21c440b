"""Escalation policy use cases: create, replace, delete (one policy per portfolio, one default)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import escalation_policy_repository as policies
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.escalation_ladder import EscalationLevel, EscalationPolicy
from pmo_notifications.handlers.escalation_policy_queries import get_policy


def new_policy(
    *, name: str, portfolio_id: str | None, levels: Sequence[EscalationLevel], repeat: int
) -> EscalationPolicy:
    """A policy not stored yet."""
    now = utc_now()
    return EscalationPolicy(
        id=str(uuid.uuid4()),
        name=name,
        portfolio_id=portfolio_id,
        levels=tuple(levels),
        repeat=repeat,
        created_at=now,
        updated_at=now,
    )


async def create_policy(session: AsyncSession, *, policy: EscalationPolicy) -> EscalationPolicy:
    """Store a new policy; 409 when its portfolio (or the default) already has one."""
    async with unit_of_work(session):
        await _ensure_scope_free(session, policy)
        try:
            await policies.insert_policy(session, policy=policy)
        except IntegrityError as exc:  # a concurrent create won the race
            raise _scope_taken(policy.portfolio_id) from exc
    return policy


async def replace_policy(
    session: AsyncSession, *, policy_id: str, content: EscalationPolicy
) -> EscalationPolicy:
    """Replace a policy's content (404 when there is none, 409 when it moves to a portfolio that
    has one). Alerts already climbing it follow the new levels from their next step."""
    async with unit_of_work(session):
        known = await get_policy(session, policy_id=policy_id)
        updated = replace(content, id=known.id, created_at=known.created_at, updated_at=utc_now())
        await _ensure_scope_free(session, updated)
        try:
            await policies.replace_policy(session, policy=updated)
        except IntegrityError as exc:
            raise _scope_taken(updated.portfolio_id) from exc
    return updated


async def delete_policy(session: AsyncSession, *, policy_id: str) -> None:
    """Delete a policy (404 when there is none); alerts climbing it stop at their next step."""
    async with unit_of_work(session):
        await get_policy(session, policy_id=policy_id)
        await policies.delete_policy(session, policy_id=policy_id)


async def _ensure_scope_free(session: AsyncSession, policy: EscalationPolicy) -> None:
    holder = await policies.policy_of_scope(session, portfolio_id=policy.portfolio_id)
    if holder is not None and holder.id != policy.id:
        raise _scope_taken(policy.portfolio_id, holder.id)


def _scope_taken(portfolio_id: str | None, holder_id: str | None = None) -> ProblemException:
    whose = "the default policy" if portfolio_id is None else f"portfolio {portfolio_id}"
    hint = f" (policy {holder_id}); change it with PUT instead" if holder_id else ""
    return ProblemException(
        409,
        "Escalation policy already exists",
        f"There is already an escalation policy for {whose}{hint}.",
        errors=[{"field": "portfolio_id", "reason": "already has an escalation policy"}],
    )
