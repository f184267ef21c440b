"""Reads and writes of interventions (their actions: action_repository)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from pmo_common.db.rows import as_utc, fetch_one, fetch_page, matching, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import ColumnElement, RowMapping, Select, false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.action_repository import actions_of
from pmo_standards.db.tables import interventions, projects
from pmo_standards.domain.interventions import (
    BoardDecision,
    ExceptionOption,
    ExceptionReport,
    Intervention,
    InterventionFilter,
    PracticeRef,
    ReasonNote,
    RecoveryAction,
)


def _report_from(stored: dict[str, Any] | None) -> ExceptionReport | None:
    if stored is None:
        return None
    options = tuple(ExceptionOption(**option) for option in stored["options"])
    reported_at = as_utc(datetime.fromisoformat(stored["reported_at"]))
    return ExceptionReport(**{**stored, "options": options, "reported_at": reported_at})


def _decision_from(stored: dict[str, Any] | None) -> BoardDecision | None:
    if stored is None:
        return None
    return BoardDecision(
        **{**stored, "decided_at": as_utc(datetime.fromisoformat(stored["decided_at"]))}
    )


def _document(record: ExceptionReport | BoardDecision | None) -> dict[str, Any] | None:
    """A nested record as the JSON the column holds (moments as ISO 8601 text)."""
    if record is None:
        return None
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(record).items()
    }


def _intervention_from(row: RowMapping) -> Intervention:
    return record_from(
        Intervention,
        row,
        reasons=tuple(ReasonNote(**reason) for reason in row["reasons"]),
        suggested_practices=tuple(PracticeRef(**ref) for ref in row["suggested_practices"]),
        exception_report=_report_from(row["exception_report"]),
        decision=_decision_from(row["decision"]),
        actions=(),
    )


def _stored_values(intervention: Intervention) -> dict[str, Any]:
    values = values_of(
        intervention,
        reasons=[asdict(reason) for reason in intervention.reasons],
        suggested_practices=[asdict(ref) for ref in intervention.suggested_practices],
        exception_report=_document(intervention.exception_report),
        decision=_document(intervention.decision),
        open_for_project=intervention.project_id if intervention.is_open else None,
    )
    del values["actions"]
    return values


async def _with_actions(session: AsyncSession, found: Intervention | None) -> Intervention | None:
    if found is None:
        return None
    by_case = await actions_of(session, intervention_ids=[found.id])
    return _replace_actions(found, by_case)


def _replace_actions(
    intervention: Intervention, by_case: dict[str, list[RecoveryAction]]
) -> Intervention:
    return replace(intervention, actions=tuple(by_case.get(intervention.id, ())))


async def insert_intervention(session: AsyncSession, *, intervention: Intervention) -> None:
    """Open a case (its actions are stored apart)."""
    await session.execute(insert(interventions).values(_stored_values(intervention)))


async def save_intervention(session: AsyncSession, *, intervention: Intervention) -> None:
    """Store a case's new state over its row (its id and opening moment stay)."""
    values = _stored_values(intervention)
    for kept in ("id", "opened_at", "project_id"):
        del values[kept]
    await session.execute(
        update(interventions).where(interventions.c.id == intervention.id).values(**values)
    )


def _locked(query: Select[Any], for_update: bool) -> Select[Any]:
    return query.with_for_update() if for_update else query


async def get_intervention(
    session: AsyncSession, *, intervention_id: str, for_update: bool = False
) -> Intervention | None:
    """One case with its actions, or None; `for_update` locks it (PostgreSQL)."""
    query = _locked(select(interventions).where(interventions.c.id == intervention_id), for_update)
    return await _with_actions(session, await fetch_one(session, query, _intervention_from))


async def get_open_intervention(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> Intervention | None:
    """The project's open case with its actions, or None."""
    query = _locked(
        select(interventions).where(interventions.c.open_for_project == project_id), for_update
    )
    return await _with_actions(session, await fetch_one(session, query, _intervention_from))


def _managed_by(email: str) -> ColumnElement[bool]:
    # The projection knows the current manager; the case's own copy covers a project standards
    # has not heard of from intake.
    manager = func.coalesce(projects.c.manager, interventions.c.manager)
    return func.lower(manager) == email.lower()


def _in_portfolios(portfolio_ids: frozenset[str]) -> ColumnElement[bool]:
    # The case's portfolio, as its single-case read checks it (the project's when it opened).
    if not portfolio_ids:
        return false()
    return interventions.c.portfolio_id.in_(sorted(portfolio_ids))


async def list_interventions(
    session: AsyncSession, *, where: InterventionFilter, page: PageRequest
) -> list[Intervention]:
    """A page of the cases matching the filter, newest first."""
    query = matching(
        select(interventions),
        (interventions.c.project_id, where.project_id),
        (interventions.c.status, where.status),
    )
    if where.owner is not None:
        query = query.where(func.lower(interventions.c.owner) == where.owner.lower())
    if where.managed_by is not None:
        query = query.select_from(
            interventions.outerjoin(projects, projects.c.id == interventions.c.project_id)
        ).where(_managed_by(where.managed_by) | _in_portfolios(where.or_in_portfolios))
    query = query.order_by(interventions.c.opened_at.desc(), interventions.c.id)
    found = await fetch_page(session, query, _intervention_from, page)
    by_case = await actions_of(session, intervention_ids=[case.id for case in found])
    return [_replace_actions(case, by_case) for case in found]


async def latest_health_version(session: AsyncSession, *, project_id: str) -> int | None:
    """The newest health version any case of the project was opened or moved by, if any."""
    query = select(func.max(interventions.c.health_version)).where(
        interventions.c.project_id == project_id
    )
    found: int | None = await session.scalar(query)
    return found
