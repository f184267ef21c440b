"""Reads and writes of the baseline versions monitoring has heard of (baseline_versions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmo_common.db.rows import RowLike, fetch_one, record_from, values_of
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.plan_json import plan_columns, plan_of
from pmo_monitoring.db.tables import baseline_versions
from pmo_monitoring.domain.baseline_versions import RecordedBaseline

# Both dialects' INSERTs know ON CONFLICT; their common type does not say so.
_INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql_insert,
    "sqlite": sqlite_insert,
}
_KEY = [baseline_versions.c.project_id, baseline_versions.c.version]
_PROVENANCE = ("reason", "changed_by", "changed_at", "change_request_id")


def _baseline(row: RowLike) -> RecordedBaseline:
    return record_from(RecordedBaseline, row, **plan_of(row))


def _values(baseline: RecordedBaseline) -> dict[str, Any]:
    return values_of(baseline, **plan_columns(baseline))


async def record_version(session: AsyncSession, *, baseline: RecordedBaseline) -> None:
    """Keep a version heard of; one already kept stays as it is, except that who changed it,
    when and why are filled in when `baseline` says (a version is never changed by intake, so
    a replay or a second source writes the same figures). One statement, so two consumers
    recording the same version at once cannot conflict."""
    values = _values(baseline)
    statement = _INSERTS[session.get_bind().dialect.name](baseline_versions).values(**values)
    if baseline.has_provenance:
        offered = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=_KEY, set_={name: offered[name] for name in _PROVENANCE}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=_KEY)
    await session.execute(statement)


async def earliest_version(session: AsyncSession, *, project_id: str) -> RecordedBaseline | None:
    """The oldest version of a project's baseline heard of (its original, version 1, unless
    monitoring never heard of that one), or None."""
    query = (
        select(baseline_versions)
        .where(baseline_versions.c.project_id == project_id)
        .order_by(baseline_versions.c.version)
        .limit(1)
    )
    return await fetch_one(session, query, _baseline)
