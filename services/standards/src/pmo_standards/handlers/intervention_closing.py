"""Closing an intervention: the lesson it leaves in the library and intervention.closed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from pmo_common.events.catalog import INTERVENTION_CLOSED
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.practice_repository import insert_practice
from pmo_standards.db.projection_repository import get_project
from pmo_standards.domain.interventions import (
    CLOSED,
    CloseReason,
    ExceptionReport,
    Intervention,
    lesson_title,
)
from pmo_standards.domain.practices import Practice, normalise_tags
from pmo_standards.domain.suggested_practices import topics_of
from pmo_standards.handlers.audit_records import record_change
from pmo_standards.handlers.intervention_publishing import save_and_announce

# Who closed a case the events closed (recovery, the project's closure).
STANDARDS = "standards"


async def close_intervention(
    session: AsyncSession,
    *,
    intervention: Intervention,
    reason: CloseReason,
    closed_by: str,
    now: datetime,
) -> Intervention:
    """Close the case, file its lessons as a library entry, and publish intervention.closed."""
    report = intervention.exception_report
    lesson_id = None
    if report is not None and report.lessons and report.lessons.strip():
        lesson_id = await _file_lesson(
            session, intervention=intervention, report=report, closed_by=closed_by, now=now
        )
    # What closing sets on the case is what intervention.closed tells of it.
    closing: dict[str, Any] = {
        "close_reason": reason,
        "closed_at": now,
        "lesson_practice_id": lesson_id,
    }
    closed = replace(intervention, status=CLOSED, **closing)
    await save_and_announce(session, INTERVENTION_CLOSED, closed, **closing)
    await record_change(session, "closed", before=intervention, after=closed)
    return closed


async def close_if_recovered_and_done(
    session: AsyncSession, *, intervention: Intervention, closed_by: str, now: datetime
) -> Intervention:
    """Close the case as recovered once the project is out of red and every action is done."""
    if not (intervention.is_open and intervention.recovered_and_done):
        return intervention
    return await close_intervention(
        session, intervention=intervention, reason="recovered", closed_by=closed_by, now=now
    )


async def _file_lesson(
    session: AsyncSession,
    *,
    intervention: Intervention,
    report: ExceptionReport,
    closed_by: str,
    now: datetime,
) -> str:
    project = await get_project(session, project_id=intervention.project_id)
    lessons = report.lessons.strip() if report.lessons else ""
    lesson = Practice(
        id=str(uuid.uuid4()),
        title=lesson_title(intervention.project_name, report.title),
        body=f"{lessons}\n\nCause: {report.cause}",
        tags=normalise_tags(topics_of(intervention.reasons)),
        methodology=None if project is None else project.methodology,
        created_by=closed_by,
        created_at=now,
        kind="lesson",
        project_id=intervention.project_id,
        reason_codes=intervention.reason_codes,
    )
    await insert_practice(session, practice=lesson)
    await record_change(session, "created", after=lesson)
    return lesson.id
