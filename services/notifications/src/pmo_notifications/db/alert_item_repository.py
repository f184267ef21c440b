"""Reads and writes of the items alerts are made of (missed periods, overdue actions, early
warnings): see domain/alert_items.py."""

from __future__ import annotations

from typing import Any

from pmo_common.db.rows import fetch_all, fetch_where, record_from, values_of
from sqlalchemy import RowMapping, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import alert_items
from pmo_notifications.domain.alert_items import AlertItem
from pmo_notifications.domain.reason_line import ReasonLine


def _record(row: RowMapping) -> AlertItem:
    reason = row["reason"]
    return record_from(AlertItem, row, reason=None if reason is None else ReasonLine(**reason))


def _values(item: AlertItem) -> dict[str, Any]:
    return values_of(item, reason=None if item.reason is None else values_of(item.reason))


def _row_of(project_id: str, item_key: str) -> Any:
    return and_(alert_items.c.project_id == project_id, alert_items.c.item_key == item_key)


async def get_item(
    session: AsyncSession, *, project_id: str, item_key: str, for_update: bool = False
) -> AlertItem | None:
    """The project's item under this key, if it was ever signalled (locked when asked)."""
    return await fetch_where(
        session, alert_items, _row_of(project_id, item_key), _record, for_update=for_update
    )


async def claim_item(session: AsyncSession, *, item: AlertItem) -> bool:
    """Remember a new item; False when the project's item under its key was already signalled.

    One statement: the primary key decides, so two replicas racing on the same signal claim
    the item once.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(alert_items)
        .values(**_values(item))
        .on_conflict_do_nothing(index_elements=["project_id", "item_key"])
        .returning(alert_items.c.item_key)
    )
    return (await session.execute(statement)).first() is not None


async def save_item(session: AsyncSession, *, item: AlertItem, exists: bool) -> None:
    """Store an item read before (`exists`: read in this transaction, locked) or a new one."""
    if exists:
        await session.execute(
            update(alert_items)
            .where(_row_of(item.project_id, item.item_key))
            .values(**_values(item))
        )
    elif not await claim_item(session, item=item):
        raise RuntimeError(f"item {item.item_key} of {item.project_id} appeared meanwhile")


async def items_of_kind(
    session: AsyncSession, *, project_id: str, prefix: str, active_only: bool = True
) -> list[AlertItem]:
    """The project's items whose keys start with `prefix` (one kind), oldest first."""
    query = select(alert_items).where(
        alert_items.c.project_id == project_id, alert_items.c.item_key.startswith(prefix)
    )
    if active_only:
        query = query.where(alert_items.c.active.is_(True))
    query = query.order_by(alert_items.c.signalled_at, alert_items.c.item_key)
    return await fetch_all(session, query, _record)


async def items_of_alert(session: AsyncSession, *, alert_id: str) -> list[AlertItem]:
    """Every item added to an alert, active or not, oldest first."""
    query = (
        select(alert_items)
        .where(alert_items.c.alert_id == alert_id)
        .order_by(alert_items.c.signalled_at, alert_items.c.item_key)
    )
    return await fetch_all(session, query, _record)


async def deactivate_items(session: AsyncSession, *, project_id: str, prefix: str) -> None:
    """Mark every active item of one kind of the project as no longer counting."""
    await session.execute(
        update(alert_items)
        .where(
            alert_items.c.project_id == project_id,
            alert_items.c.item_key.startswith(prefix),
            alert_items.c.active.is_(True),
        )
        .values(active=False)
    )


async def first_period_of_alert(session: AsyncSession, *, alert_id: str) -> int | None:
    """The earliest missed period recorded on an overdue-report alert."""
    query = select(func.min(alert_items.c.period)).where(alert_items.c.alert_id == alert_id)
    first: int | None = (await session.execute(query)).scalar_one_or_none()
    return first
