"""What monitoring keeps of other services' data: intake's projects, standards' methodologies
and compliance verdicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pmo_common.db.rows import (
    RowLike,
    fetch_all,
    fetch_by_id,
    fetch_one,
    insert_or_replace,
    matching,
    record_from,
    update_by_id,
    values_of,
)
from sqlalchemy import RowMapping, Select, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import project_figures as figures
from pmo_monitoring.db.plan_json import plan_columns, plan_of
from pmo_monitoring.db.tables import methodology_thresholds, monitored_projects, project_compliance
from pmo_monitoring.domain.records import (
    ComplianceVerdict,
    Methodology,
    MonitoredProject,
    ProjectContext,
)


def _project(row: RowLike) -> MonitoredProject:
    return record_from(MonitoredProject, row, **plan_of(row))


def _project_values(project: MonitoredProject) -> dict[str, Any]:
    return values_of(project, **plan_columns(project))


def _compliance(row: RowLike) -> ComplianceVerdict:
    return record_from(ComplianceVerdict, row, findings=tuple(row["findings"]))


async def get_project(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> MonitoredProject | None:
    """One projected project, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(
        session, monitored_projects, project_id, _project, for_update=for_update
    )


_METHODOLOGY = {f"methodology_{c.name}": c for c in methodology_thresholds.columns}
_COMPLIANCE = {f"compliance_{c.name}": c for c in project_compliance.columns}


def _prefixed(row: RowMapping, prefix: str, names: Mapping[str, Any]) -> dict[str, Any] | None:
    values = {label.removeprefix(prefix): row[label] for label in names}
    return values if values[next(iter(values))] is not None else None


def _context(row: RowMapping) -> ProjectContext:
    methodology = _prefixed(row, "methodology_", _METHODOLOGY)
    compliance = _prefixed(row, "compliance_", _COMPLIANCE)
    return ProjectContext(
        project=_project(row),
        methodology=record_from(Methodology, methodology) if methodology is not None else None,
        compliance=_compliance(compliance) if compliance is not None else None,
    )


def _context_query() -> Select[Any]:
    return (
        select(
            monitored_projects,
            *(column.label(label) for label, column in _METHODOLOGY.items()),
            *(column.label(label) for label, column in _COMPLIANCE.items()),
        )
        .select_from(
            monitored_projects.outerjoin(
                methodology_thresholds,
                methodology_thresholds.c.key == monitored_projects.c.methodology,
            ).outerjoin(
                project_compliance, project_compliance.c.project_id == monitored_projects.c.id
            )
        )
        .where(monitored_projects.c.id == bindparam("project_id"))
    )


# Read by every request on a project: built once, the id bound at execution (rows.py).
_CONTEXT = _context_query()
_CONTEXT_LOCKED = _CONTEXT.with_for_update(of=monitored_projects)


async def get_project_context(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> ProjectContext | None:
    """A projected project with its methodology and compliance verdict, in one query.

    `for_update` locks the project's row (PostgreSQL), not the methodology's or the verdict's.
    """
    query = _CONTEXT_LOCKED if for_update else _CONTEXT
    return await fetch_one(session, query, _context, {"project_id": project_id})


async def insert_project(session: AsyncSession, *, project: MonitoredProject) -> None:
    """Add a project to the projection (and its figures to the roll-up)."""
    await session.execute(insert(monitored_projects).values(**_project_values(project)))
    await figures.insert_figures(session, project=project)


async def replace_project(session: AsyncSession, *, project: MonitoredProject) -> None:
    """Replace a projected project's columns with the record's (and its roll-up figures')."""
    await update_by_id(session, monitored_projects, _project_values(project), kept=())
    await figures.update_registry_side(session, project=project)


async def list_projects(
    session: AsyncSession,
    *,
    manager: str | None = None,
    methodology: str | None = None,
    portfolio_id: str | None = None,
    program_id: str | None = None,
    include_closed: bool = True,
) -> list[MonitoredProject]:
    """Projected projects matching the filters, by name."""
    query = matching(
        select(monitored_projects),
        # E-mails ignore case.
        (func.lower(monitored_projects.c.manager), manager and manager.lower()),
        (monitored_projects.c.methodology, methodology),
        (monitored_projects.c.portfolio_id, portfolio_id),
        (monitored_projects.c.program_id, program_id),
    )
    if not include_closed:
        query = query.where(monitored_projects.c.status != "closed")
    query = query.order_by(monitored_projects.c.name, monitored_projects.c.id)
    return await fetch_all(session, query, _project)


async def get_methodology(session: AsyncSession, *, key: str) -> Methodology | None:
    """The newest version of a methodology standards published, or None."""
    query = select(methodology_thresholds).where(methodology_thresholds.c.key == key)
    return await fetch_one(session, query, Methodology)


async def all_methodologies(session: AsyncSession) -> dict[str, Methodology]:
    """Every methodology heard of, by key."""
    found = await fetch_all(session, select(methodology_thresholds), Methodology)
    return {methodology.key: methodology for methodology in found}


async def save_methodology(
    session: AsyncSession, *, methodology: Methodology, exists: bool
) -> None:
    """Insert or replace a methodology's row."""
    await insert_or_replace(
        session,
        methodology_thresholds,
        values_of(methodology, thresholds=dict(methodology.thresholds)),
        row=methodology_thresholds.c.key == methodology.key,
        exists=exists,
    )


async def save_compliance(session: AsyncSession, *, verdict: ComplianceVerdict) -> None:
    """Insert or replace a project's compliance verdict."""
    row = project_compliance.c.project_id == verdict.project_id
    found = await session.scalar(select(project_compliance.c.project_id).where(row))
    await insert_or_replace(
        session,
        project_compliance,
        values_of(verdict, findings=[dict(finding) for finding in verdict.findings]),
        row=row,
        exists=found is not None,
    )


async def close_project(
    session: AsyncSession,
    *,
    project_id: str,
    name: str,
    version: int,
    closed_at: datetime,
    projected_at: datetime,
) -> None:
    """Mark a projected project closed (its history stays; the roll-up counts it as closed)."""
    await session.execute(
        update(monitored_projects)
        .where(monitored_projects.c.id == project_id)
        .values(
            name=name,
            status="closed",
            closed_at=closed_at,
            version=version,
            projected_at=projected_at,
        )
    )
    closed = await get_project(session, project_id=project_id)
    if closed is not None:
        await figures.update_registry_side(session, project=closed)
