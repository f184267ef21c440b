"""Writes of each project's current figures (project_figures), the roll-up's source.

The registry side is written with the projection (monitored_projects), the health side with
the stored health (project_health), in the same statements' transaction. Every write tells
rollup_partials which of its rows changed (`mark_changed`); they are refreshed at commit.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Row, bindparam, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.rollup_partials import PartialKey, mark_changed
from pmo_monitoring.db.tables import ROLLED_UP_MONEY, project_figures
from pmo_monitoring.domain.portfolio import has_report_figures
from pmo_monitoring.domain.records import MonitoredProject, StoredHealth

BUCKETS = 16
_KEY_COLUMNS = (
    project_figures.c.portfolio_id,
    project_figures.c.program_id,
    project_figures.c.currency,
    project_figures.c.closed,
    project_figures.c.bucket,
)


def bucket_of(project_id: str) -> int:
    """The bucket a project's figures are counted in (stable: crc32 of its id)."""
    return zlib.crc32(project_id.encode()) % BUCKETS


def registry_values(project: MonitoredProject) -> dict[str, Any]:
    """The columns the projection decides: name, manager, groups, currency, status."""
    return {
        "name": project.name,
        "name_key": project.name.casefold(),
        "manager": project.manager,
        "manager_key": project.manager.lower(),
        "methodology": project.methodology,
        "currency": project.currency,
        "portfolio_id": project.portfolio_id,
        "program_id": project.program_id,
        "status": project.status,
        "closed": project.closed,
        "bucket": bucket_of(project.id),
        "start_day": project.start_date.toordinal(),
    }


def health_values(health: StoredHealth | None) -> dict[str, Any]:
    """The columns the stored health decides (None: no health stored yet)."""
    if health is None:
        return {
            "rag": "unknown",
            "last_report_at": None,
            "reporting": False,
            **dict.fromkeys(ROLLED_UP_MONEY),
        }
    figures = {name: health.metric(name) for name in ROLLED_UP_MONEY}
    return {
        "rag": health.rag,
        "last_report_at": health.last_report_at,
        "reporting": has_report_figures(figures),
        **figures,
    }


def figures_row(project: MonitoredProject, health: StoredHealth | None) -> dict[str, Any]:
    """The whole row of a project and its stored health (inserts and rebuilds)."""
    row = {"project_id": project.id, **registry_values(project), **health_values(health)}
    last_report_at = row["last_report_at"]
    row["reference_day"] = (
        last_report_at.toordinal() if last_report_at is not None else row["start_day"]
    )
    return row


def _key_of(row: Row[Any, Any, Any, Any, Any]) -> PartialKey:
    return PartialKey.of(row[0], row[1], row[2], row[3], row[4])


async def insert_figures(session: AsyncSession, *, project: MonitoredProject) -> None:
    """The row of a project just added to the projection (no health yet)."""
    row = figures_row(project, None)
    await session.execute(insert(project_figures).values(**row))
    mark_changed(session, [PartialKey.of_row(row)])


async def update_registry_side(session: AsyncSession, *, project: MonitoredProject) -> None:
    """Store a project's new registry side: it may move to another portfolio, programme,
    currency or closed state, so the partials it leaves and the ones it joins both change."""
    found = await session.execute(
        select(*_KEY_COLUMNS).where(project_figures.c.project_id == project.id)
    )
    before = found.first()
    if before is None:  # not backfilled: write it whole; its health side follows its health
        await insert_figures(session, project=project)
        return
    values = registry_values(project)
    await session.execute(
        update(project_figures)
        .where(project_figures.c.project_id == project.id)
        .values(
            **values,
            # Before any report the reporting cadence counts from the (new) start date.
            reference_day=case(
                (project_figures.c.last_report_at.is_(None), values["start_day"]),
                else_=project_figures.c.reference_day,
            ),
        )
    )
    mark_changed(session, [_key_of(before), PartialKey.of_row(values)])


def _health_side(**computed: Any) -> Any:
    """The health side's UPDATE: bound values for every column, but those `computed` in SQL."""
    statement = update(project_figures).where(
        project_figures.c.project_id == bindparam("figures_of")
    )
    if computed:
        statement = statement.values(**computed)
    return statement.returning(*_KEY_COLUMNS)


# Built once (every report filed runs one): the health's values are bound at execution.
_HEALTH_SIDE = _health_side()
# Before any report the reporting cadence counts from the start date.
_HEALTH_SIDE_NO_REPORT = _health_side(reference_day=project_figures.c.start_day)


async def update_health_side(session: AsyncSession, *, health: StoredHealth) -> None:
    """Store a project's new health figures (nothing when the project is not projected)."""
    values = {**health_values(health), "figures_of": health.project_id}
    last_report_at = health.last_report_at
    if last_report_at is None:
        changed = await session.execute(_HEALTH_SIDE_NO_REPORT, values)
    else:
        values["reference_day"] = last_report_at.toordinal()
        changed = await session.execute(_HEALTH_SIDE, values)
    mark_changed(session, [_key_of(row) for row in changed])
