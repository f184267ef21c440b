"""Reads and writes of the PMO's gate decisions."""

from __future__ import annotations

from pmo_common.db.rows import fetch_all, values_of
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import gate_decisions
from pmo_standards.domain.compliance import GateDecision


async def insert_gate_decision(session: AsyncSession, *, decision: GateDecision) -> None:
    """Record a gate decision (earlier ones stay, as history)."""
    await session.execute(insert(gate_decisions).values(**values_of(decision)))


async def list_gate_decisions(session: AsyncSession, *, project_id: str) -> list[GateDecision]:
    """Every decision on the project's gates, oldest first."""
    query = (
        select(gate_decisions)
        .where(gate_decisions.c.project_id == project_id)
        .order_by(gate_decisions.c.decided_at, gate_decisions.c.id)
    )
    return await fetch_all(session, query, GateDecision)
