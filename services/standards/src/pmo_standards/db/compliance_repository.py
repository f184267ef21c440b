"""Reads and writes of submitted deliverables and gate decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import deliverables, gate_decisions


@dataclass(frozen=True, slots=True)
class SubmittedDeliverable:
    """A deliverable a project filed for a gate."""

    project_id: str
    gate: str
    name: str
    url: str | None
    submitted_by: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class GateDecisionRecord:
    """The PMO's decision on one of a project's gates."""

    id: str
    project_id: str
    gate: str
    decision: str
    comment: str | None
    decided_by: str
    decided_at: datetime
    methodology: str
    methodology_version: int


def _deliverable_from(row: RowMapping) -> SubmittedDeliverable:
    return SubmittedDeliverable(
        project_id=row["project_id"],
        gate=row["gate"],
        name=row["name"],
        url=row["url"],
        submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"],
    )


async def submitted_deliverables(
    session: AsyncSession, *, project_id: str
) -> list[SubmittedDeliverable]:
    """Every deliverable the project has filed, by gate and name."""
    rows = (
        await session.execute(
            select(deliverables)
            .where(deliverables.c.project_id == project_id)
            .order_by(deliverables.c.gate, deliverables.c.name)
        )
    ).mappings()
    return [_deliverable_from(row) for row in rows]


async def save_deliverable(session: AsyncSession, *, deliverable: SubmittedDeliverable) -> None:
    """File a deliverable; filing it again replaces the link and the submitter."""
    key = (
        deliverables.c.project_id == deliverable.project_id,
        deliverables.c.gate == deliverable.gate,
        deliverables.c.name == deliverable.name,
    )
    changes = {
        "url": deliverable.url,
        "submitted_by": deliverable.submitted_by,
        "submitted_at": deliverable.submitted_at,
    }
    result = await session.execute(update(deliverables).where(*key).values(**changes))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(
            insert(deliverables).values(
                project_id=deliverable.project_id,
                gate=deliverable.gate,
                name=deliverable.name,
                **changes,
            )
        )


async def insert_gate_decision(session: AsyncSession, *, decision: GateDecisionRecord) -> None:
    """Record a gate decision (earlier ones stay, as history)."""
    await session.execute(
        insert(gate_decisions).values(
            id=decision.id,
            project_id=decision.project_id,
            gate=decision.gate,
            decision=decision.decision,
            comment=decision.comment,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            methodology=decision.methodology,
            methodology_version=decision.methodology_version,
        )
    )


async def latest_gate_decisions(
    session: AsyncSession, *, project_id: str
) -> dict[str, GateDecisionRecord]:
    """The most recent decision on each decided gate of the project."""
    rows = (
        await session.execute(
            select(gate_decisions)
            .where(gate_decisions.c.project_id == project_id)
            .order_by(gate_decisions.c.decided_at, gate_decisions.c.id)
        )
    ).mappings()
    latest: dict[str, GateDecisionRecord] = {}
    for row in rows:
        latest[row["gate"]] = GateDecisionRecord(**dict(row))
    return latest
