"""Reads and writes of the RAID register (raid_items), and what the health rules read of it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from pmo_common.db.rows import (
    RowLike,
    fetch_all,
    fetch_page,
    fetch_where,
    matching,
    record_from,
    update_by_id,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import and_, bindparam, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import monitored_projects, project_health, raid_items
from pmo_monitoring.domain.dependencies import UpstreamDependency
from pmo_monitoring.domain.raid import OPEN, RaidItem, as_kind
from pmo_monitoring.domain.records import CLOSED as PROJECT_CLOSED
from pmo_monitoring.domain.records import as_date

_ITEM = raid_items.c


def item_from_row(row: RowLike) -> RaidItem:
    """The record of a raid_items row."""
    return record_from(RaidItem, row, kind=as_kind(row["kind"]))


async def insert_item(session: AsyncSession, *, item: RaidItem) -> None:
    """Store a new item."""
    await session.execute(insert(raid_items).values(**values_of(item)))


async def update_item(session: AsyncSession, *, item: RaidItem) -> None:
    """Store an item's fields over its row (its id, project, kind and creation stay)."""
    await update_by_id(
        session,
        raid_items,
        values_of(item),
        kept=("project_id", "kind", "created_by", "created_at"),
    )


async def get_item(
    session: AsyncSession, *, project_id: str, item_id: str, for_update: bool = False
) -> RaidItem | None:
    """One item of a project, or None; `for_update` locks its row (PostgreSQL)."""
    return await fetch_where(
        session,
        raid_items,
        and_(_ITEM.id == item_id, _ITEM.project_id == project_id),
        item_from_row,
        for_update=for_update,
    )


async def list_items(
    session: AsyncSession,
    *,
    project_id: str,
    kind: str | None,
    status: str | None,
    page: PageRequest,
) -> list[RaidItem]:
    """A page of a project's items, oldest first, of one kind and status when given."""
    query = matching(
        select(raid_items).where(_ITEM.project_id == project_id),
        (_ITEM.kind, kind),
        (_ITEM.status, status),
    ).order_by(_ITEM.created_at, _ITEM.id)
    return await fetch_page(session, query, item_from_row, page)


async def risks_by_id(
    session: AsyncSession, *, project_id: str, item_ids: Collection[str]
) -> dict[str, RaidItem]:
    """The risks of a project among `item_ids`, by id (an id of no risk of it is absent)."""
    if not item_ids:
        return {}
    query = select(raid_items).where(
        _ITEM.project_id == project_id, _ITEM.kind == "risk", _ITEM.id.in_(list(item_ids))
    )
    return {item.id: item for item in await fetch_all(session, query, item_from_row)}


def _forecast_end(metrics: object) -> date | None:
    forecast = metrics.get("forecast_end_date") if isinstance(metrics, dict) else None
    return as_date(forecast) if forecast else None


@dataclass(frozen=True, slots=True)
class RegisterSignals:
    """What a project's health reads of its register: every risk (whatever its status), and
    each open dependency with its upstream's name, state and forecast end (None before the
    upstream's first report)."""

    risks: list[RaidItem]
    dependencies: list[UpstreamDependency]


def _upstream(row: RowLike) -> UpstreamDependency:
    return UpstreamDependency(
        title=row["title"],
        needed_by=row["needed_by"],
        open=row["status"] == OPEN,
        upstream_id=row["depends_on_project_id"],
        upstream_name=row["upstream_name"],
        upstream_closed=row["upstream_status"] == PROJECT_CLOSED,
        upstream_forecast_end=_forecast_end(row["upstream_metrics"]),
    )


_UPSTREAM, _HEALTH = monitored_projects.c, project_health.c
# One read per judgement: the risks and the open dependencies, each of the latter joined to
# its upstream's projection and stored health (the upstream always exists: it is checked on
# input and projects are never deleted; an outer join keeps the risks).
_REGISTER_SIGNALS = (
    select(
        raid_items,
        _UPSTREAM.name.label("upstream_name"),
        _UPSTREAM.status.label("upstream_status"),
        _HEALTH.metrics.label("upstream_metrics"),
    )
    .outerjoin(monitored_projects, _UPSTREAM.id == _ITEM.depends_on_project_id)
    .outerjoin(project_health, _HEALTH.project_id == _ITEM.depends_on_project_id)
    .where(
        _ITEM.project_id == bindparam("project_id"),
        or_(_ITEM.kind == "risk", and_(_ITEM.kind == "dependency", _ITEM.status == OPEN)),
    )
    .order_by(_ITEM.created_at, _ITEM.id)
)


async def register_signals(session: AsyncSession, *, project_id: str) -> RegisterSignals:
    """A project's risks and open dependencies, oldest first, in one read."""
    rows = (await session.execute(_REGISTER_SIGNALS, {"project_id": project_id})).mappings()
    signals = RegisterSignals(risks=[], dependencies=[])
    for row in rows:
        if row["kind"] == "risk":
            signals.risks.append(item_from_row(row))
        elif row["upstream_name"] is not None:
            signals.dependencies.append(_upstream(row))
    return signals


async def dependent_project_ids(session: AsyncSession, *, upstream_id: str) -> list[str]:
    """The projects with an open dependency on `upstream_id`, in id order."""
    query = (
        select(_ITEM.project_id)
        .where(
            _ITEM.depends_on_project_id == upstream_id,
            _ITEM.kind == "dependency",
            _ITEM.status == OPEN,
        )
        .distinct()
        .order_by(_ITEM.project_id)
    )
    return list((await session.execute(query)).scalars())


async def upstream_project_ids(session: AsyncSession, *, downstream_id: str) -> list[str]:
    """The projects `downstream_id` has an open dependency on, in id order."""
    query = (
        select(_ITEM.depends_on_project_id)
        .where(
            _ITEM.project_id == downstream_id,
            _ITEM.kind == "dependency",
            _ITEM.status == OPEN,
        )
        .distinct()
        .order_by(_ITEM.depends_on_project_id)
    )
    return [upstream for upstream in (await session.execute(query)).scalars() if upstream]
