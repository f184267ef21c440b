"""Announcing recovery actions past their due date: intervention.action_overdue once per action."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import ACTION_OVERDUE
from pmo_common.messaging.waiting import run_every
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_standards.config import StandardsSettings
from pmo_standards.db.action_repository import (
    claim_overdue_action,
    intervention_of_action,
    overdue_action_ids,
)
from pmo_standards.domain.interventions import overdue_days
from pmo_standards.handlers.intervention_publishing import action_facts, announce
from pmo_standards.handlers.intervention_queries import load_intervention


async def announce_overdue_actions(
    sessions: async_sessionmaker[AsyncSession], *, today: date
) -> int:
    """Publish intervention.action_overdue for each open action past its due date.

    A first read finds the candidates; each is then claimed and announced in its own unit of
    work (`announce_if_overdue`), so several replicas checking at once announce each action
    once. Returns how many this call published.
    """
    async with sessions() as session:
        candidates = await overdue_action_ids(session, today=today)
    published = 0
    for action_id in candidates:
        async with sessions() as session:
            if await announce_if_overdue(session, action_id=action_id, today=today):
                published += 1
    return published


async def announce_if_overdue(session: AsyncSession, *, action_id: str, today: date) -> bool:
    """Claim an overdue action and write its event, in one transaction; False if another
    replica claimed it first, or it was done, or its case closed, meanwhile."""
    async with unit_of_work(session):
        now = datetime.now(UTC)
        if not await claim_overdue_action(session, action_id=action_id, today=today, now=now):
            return False
        # The claim matched only an open action of an open case, so both are there.
        intervention_id = await intervention_of_action(session, action_id=action_id)
        case = await load_intervention(session, intervention_id=str(intervention_id))
        action = next(a for a in case.actions if a.id == action_id)
        await announce(
            session,
            ACTION_OVERDUE,
            case,
            **action_facts(action),
            days_overdue=overdue_days(action.due_date, today),
        )
        return True


def _today() -> date:
    return datetime.now(UTC).date()


async def action_overdue_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Look for overdue actions every few seconds until the service stops (0: never)."""
    settings = runtime.settings
    interval = (
        settings.action_overdue_check_seconds if isinstance(settings, StandardsSettings) else 60.0
    )
    await run_every(
        stop,
        interval,
        lambda: announce_overdue_actions(runtime.sessions, today=_today()),
        what="overdue action check",
        counted="overdue recovery actions announced",
    )
