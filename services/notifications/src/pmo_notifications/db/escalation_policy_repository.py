"""Reads and writes of escalation policies."""

from __future__ import annotations

from typing import Any

from pmo_common.db.rows import fetch_all, fetch_by_id, fetch_one, fetch_page, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import DEFAULT_POLICY_SCOPE, escalation_policies
from pmo_notifications.domain.escalation_ladder import EscalationLevel, EscalationPolicy


def _record(row: RowMapping) -> EscalationPolicy:
    levels = tuple(
        EscalationLevel(after_seconds=level["after_seconds"], notify=tuple(level["notify"]))
        for level in row["levels"]
    )
    return record_from(EscalationPolicy, row, levels=levels)


def _values(policy: EscalationPolicy) -> dict[str, Any]:
    levels = [values_of(level, notify=list(level.notify)) for level in policy.levels]
    return values_of(policy, levels=levels) | {"scope": _scope(policy.portfolio_id)}


def _scope(portfolio_id: str | None) -> str:
    return DEFAULT_POLICY_SCOPE if portfolio_id is None else portfolio_id


async def insert_policy(session: AsyncSession, *, policy: EscalationPolicy) -> None:
    """Store a new policy (IntegrityError when its portfolio, or the default, has one)."""
    await session.execute(insert(escalation_policies).values(**_values(policy)))


async def replace_policy(session: AsyncSession, *, policy: EscalationPolicy) -> None:
    """Store a policy's new content over the row with its id (its creation time stays)."""
    changed = _values(policy)
    del changed["id"], changed["created_at"]
    await session.execute(
        update(escalation_policies).where(escalation_policies.c.id == policy.id).values(**changed)
    )


async def delete_policy(session: AsyncSession, *, policy_id: str) -> None:
    """Remove a policy: alerts climbing it stop at their next due step."""
    await session.execute(delete(escalation_policies).where(escalation_policies.c.id == policy_id))


async def get_policy(
    session: AsyncSession, *, policy_id: str, for_update: bool = False
) -> EscalationPolicy | None:
    """The policy with this id, if any (locked for the transaction when `for_update`)."""
    return await fetch_by_id(
        session, escalation_policies, policy_id, _record, for_update=for_update
    )


async def policy_of_scope(
    session: AsyncSession, *, portfolio_id: str | None
) -> EscalationPolicy | None:
    """The policy of exactly this portfolio (None: the default policy), if there is one."""
    query = select(escalation_policies).where(escalation_policies.c.scope == _scope(portfolio_id))
    return await fetch_one(session, query, _record)


async def all_policies(session: AsyncSession) -> list[EscalationPolicy]:
    """Every policy (one per portfolio at most, and the default): few enough to hold."""
    return await fetch_all(session, select(escalation_policies), _record)


async def list_policies(session: AsyncSession, *, page: PageRequest) -> list[EscalationPolicy]:
    """A page of policies: the default first, then by portfolio."""
    query = select(escalation_policies).order_by(
        escalation_policies.c.scope, escalation_policies.c.id
    )
    return await fetch_page(session, query, _record, page)
