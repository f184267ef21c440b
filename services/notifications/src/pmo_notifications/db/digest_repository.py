"""Reads and writes of the digests: portfolios, recovery actions, open alerts, and the claims of
digests sent (one per recipient and period)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pmo_common.db.rows import as_utc, fetch_all
from sqlalchemy import Table, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import (
    alerts,
    digests_sent,
    intervention_actions,
    intervention_owners,
    portfolios,
    projects,
)
from pmo_notifications.domain.alert_lifecycle import RESOLVED
from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.digest_content import DigestAlert, OpenAction, PortfolioOwned
from pmo_notifications.domain.digest_periods import DigestPeriod
from pmo_notifications.domain.project_projection import CLOSED, normalised_email


def _insert(
    session: AsyncSession, table: Table, values: Mapping[str, object]
) -> postgresql.Insert | sqlite.Insert:
    # An INSERT that can say ON CONFLICT, on either dialect: the events of one record, and the
    # claims of one digest, may race across replicas.
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).values(**values)
    return sqlite.insert(table).values(**values)


async def save_portfolio(
    session: AsyncSession, *, portfolio_id: str, name: str, owner: str, at: datetime
) -> None:
    """Remember a portfolio and its manager (a replay stores the same again)."""
    values = {"id": portfolio_id, "name": name, "owner": normalised_email(owner), "updated_at": at}
    insert = _insert(session, portfolios, values)
    kept = {column: insert.excluded[column] for column in ("name", "owner", "updated_at")}
    await session.execute(insert.on_conflict_do_update(index_elements=["id"], set_=kept))


async def portfolios_owned(session: AsyncSession, *, owner: str) -> list[PortfolioOwned]:
    """The portfolios `owner` manages."""
    query = select(portfolios.c.id, portfolios.c.name).where(
        portfolios.c.owner == normalised_email(owner)
    )
    return await fetch_all(session, query.order_by(portfolios.c.name), PortfolioOwned)


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """A recovery action as intervention.action_added or _overdue tells it."""

    action_id: str
    project_id: str
    intervention_id: str
    title: str
    owner: str
    due_date: date


async def save_action(session: AsyncSession, *, action: ActionFacts, at: datetime) -> None:
    """Remember an open recovery action; one already done stays done."""
    insert = _insert(
        session,
        intervention_actions,
        {
            "action_id": action.action_id,
            "project_id": action.project_id,
            "intervention_id": action.intervention_id,
            "title": action.title,
            "owner": normalised_email(action.owner),
            "due_date": action.due_date,
            "done_at": None,
            "updated_at": at,
        },
    )
    told = {column: insert.excluded[column] for column in ("title", "owner", "due_date")}
    told["updated_at"] = insert.excluded.updated_at
    await session.execute(insert.on_conflict_do_update(index_elements=["action_id"], set_=told))


async def mark_action_done(
    session: AsyncSession,
    *,
    action_id: str,
    project_id: str,
    intervention_id: str,
    done_at: datetime,
    at: datetime,
) -> None:
    """Remember an action as done, even before it was heard of (the events travel on different
    topics); the first completion told is kept."""
    values = {
        "action_id": action_id,
        "project_id": project_id,
        "intervention_id": intervention_id,
        "done_at": in_utc(done_at),
    }
    insert = _insert(session, intervention_actions, {**values, "updated_at": at})
    done = func.coalesce(intervention_actions.c.done_at, insert.excluded.done_at)
    kept = {"done_at": done, "updated_at": insert.excluded.updated_at}
    await session.execute(insert.on_conflict_do_update(index_elements=["action_id"], set_=kept))


async def open_actions(session: AsyncSession, *, project_ids: Collection[str]) -> list[OpenAction]:
    """The recovery actions of these projects that are not done (and whose due date is known),
    unless their case is closed or is no longer the project's latest."""
    if not project_ids:
        return []
    table = intervention_actions.c
    case = intervention_owners.c
    case_over = exists().where(
        case.project_id == table.project_id,
        or_(case.intervention_id != table.intervention_id, case.closed.is_(True)),
    )
    query = select(table.project_id, table.title, table.owner, table.due_date).where(
        table.project_id.in_(list(project_ids)),
        table.done_at.is_(None),
        table.due_date.is_not(None),
        ~case_over,
    )
    return await fetch_all(session, query, OpenAction)


async def open_alerts(session: AsyncSession, *, project_ids: Collection[str]) -> list[DigestAlert]:
    """The open and acknowledged alerts of these projects."""
    if not project_ids:
        return []
    table = alerts.c
    query = select(
        table.project_id,
        table.project_name,
        table.kind,
        table.severity,
        table.status,
        table.title,
        table.opened_at,
    ).where(table.project_id.in_(list(project_ids)), table.status != RESOLVED)
    return await fetch_all(session, query, DigestAlert)


async def last_digest_at(
    session: AsyncSession, *, recipient: str, period: DigestPeriod
) -> datetime | None:
    """When the recipient's latest digest of this period was claimed (sent or found empty)."""
    latest = await session.scalar(
        select(func.max(digests_sent.c.sent_at)).where(
            digests_sent.c.recipient == normalised_email(recipient),
            digests_sent.c.period == period,
        )
    )
    return as_utc(latest) if latest is not None else None


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """A recipient's digest of one period, claimed once: sent, or nothing to report."""

    id: str
    recipient: str
    period: DigestPeriod
    period_key: str
    sent_at: datetime
    nothing_to_report: bool


async def claim_digest(session: AsyncSession, *, claim: DigestClaim) -> bool:
    """Claim the recipient's digest of the period in the caller's transaction; False when
    another transaction (another replica) already did. On PostgreSQL a concurrent claim waits
    on the unique index for the first one's transaction and then finds the row."""
    insert = _insert(
        session,
        digests_sent,
        {
            "id": claim.id,
            "recipient": normalised_email(claim.recipient),
            "period": claim.period,
            "period_key": claim.period_key,
            "sent_at": in_utc(claim.sent_at),
            "nothing_to_report": claim.nothing_to_report,
        },
    )
    once = ("recipient", "period", "period_key")
    claimed = await session.execute(
        insert.on_conflict_do_nothing(index_elements=list(once)).returning(digests_sent.c.id)
    )
    return claimed.first() is not None


async def recipients_without_digest(
    session: AsyncSession, *, period: DigestPeriod, period_key: str, limit: int
) -> list[str]:
    """Up to `limit` readers of the period's digest not claimed yet, alphabetically: the managers
    of active projects (daily) or of portfolios (weekly)."""
    if period == "daily":
        reader = projects.c.manager
        readers = select(reader).where(projects.c.status != CLOSED, reader != "")
    else:
        reader = portfolios.c.owner
        readers = select(reader)
    claimed = exists().where(
        digests_sent.c.recipient == reader,
        digests_sent.c.period == period,
        digests_sent.c.period_key == period_key,
    )
    query = readers.where(~claimed).distinct().order_by(reader).limit(limit)
    return [str(value) for value in (await session.scalars(query)).all()]
