"""Reads and writes of health: each project's current one, and each report's point of history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pmo_common.db.rows import RowLike, fetch_one, record_from, values_of
from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import project_figures as figures
from pmo_monitoring.db.tables import health_snapshots, project_health
from pmo_monitoring.domain.records import RecordedHealth, StoredHealth, as_rag


def health_from_row(row: RowLike) -> StoredHealth:
    """The record of a `project_health` row."""
    return record_from(StoredHealth, row, rag=as_rag(row["rag"]), reasons=tuple(row["reasons"]))


def point_from_row(row: RowLike) -> StoredHealth:
    """The record of a `health_snapshots` row (a report judged as of its own as_of)."""
    return health_from_row({**row, "last_report_at": row["as_of"]})


def _values(health: StoredHealth) -> dict[str, Any]:
    return values_of(
        health,
        reasons=[dict(reason) for reason in health.reasons],
        metrics=dict(health.metrics),
    )


def _without(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name not in names}


_REPLACED_COLUMNS = [
    column.name
    for column in project_health.columns
    if column.name not in ("project_id", "previous_rag", "previous_reasons", "health_version")
]


def _replace_health(insert_: Callable[[Table], Any]) -> Any:
    statement = insert_(project_health)
    offered = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[project_health.c.project_id],
        set_={
            **{name: offered[name] for name in _REPLACED_COLUMNS},
            # SET reads the row it overwrites: its RAG and reasons become previous_rag and
            # previous_reasons, which RETURNING hands back, and its version counts one up.
            "previous_rag": project_health.c.rag,
            "previous_reasons": project_health.c.reasons,
            "health_version": project_health.c.health_version + 1,
        },
    ).returning(
        project_health.c.previous_rag,
        project_health.c.previous_reasons,
        project_health.c.health_version,
    )


# Built once: every report filed stores a health (rows.py on prebuilt statements).
_REPLACE_HEALTH = {
    "postgresql": _replace_health(postgresql_insert),
    "sqlite": _replace_health(sqlite_insert),
}
_INSERT_POINT = insert(health_snapshots)
_DELETE_POINT = delete(health_snapshots).where(
    health_snapshots.c.project_id == bindparam("project_id"),
    health_snapshots.c.as_of == bindparam("as_of"),
)


async def replace_health(session: AsyncSession, *, health: StoredHealth) -> RecordedHealth:
    """Store a project's health over its previous one (or as its first, when it has none).

    Answers the RAG and reasons it replaced (None and () for a first health), which the
    transition and the early-warning episodes are decided against, and its new health
    version. One upsert does it all, in the statement that writes, so of two writers on one
    project (SQLite has no row lock; on PostgreSQL the later upsert waits for the earlier
    one's row) the later gets what the earlier stored: they never decide their events against
    the same health. The project's figures for the roll-up change with it.
    """
    await figures.update_health_side(session, health=health)
    first = {"previous_rag": None, "previous_reasons": None, "health_version": 1}
    values = {**_values(health), **first}
    statement = _REPLACE_HEALTH[session.get_bind().dialect.name]
    previous, previous_reasons, version = (await session.execute(statement, values)).one()
    return RecordedHealth(
        health=health,
        previous_rag=as_rag(previous) if previous is not None else None,
        previous_reasons=tuple(previous_reasons or ()),
        version=int(version),
    )


async def save_point(session: AsyncSession, *, point: StoredHealth, replaces: bool) -> None:
    """Store a report's point of the history; `replaces` a corrected day's earlier point."""
    if replaces:
        await session.execute(_DELETE_POINT, {"project_id": point.project_id, "as_of": point.as_of})
    await session.execute(_INSERT_POINT, _without(_values(point), "last_report_at"))


async def point_before(
    session: AsyncSession, *, project_id: str, as_of: date
) -> StoredHealth | None:
    """The stored point of the newest report before `as_of` that has one, or None."""
    query = (
        select(health_snapshots)
        .where(health_snapshots.c.project_id == project_id, health_snapshots.c.as_of < as_of)
        .order_by(health_snapshots.c.as_of.desc())
        .limit(1)
    )
    return await fetch_one(session, query, point_from_row)
