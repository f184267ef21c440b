"""Open, refresh and close interventions from monitoring's project.at_risk and .recovered.

A project entering red opens one case; while it is open, a repeated or redelivered at_risk only
refreshes what the case says of the project. Health events carry monitoring's health version:
one not newer than the case's last is late (a replay) and changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from pmo_common.events.catalog import INTERVENTION_OPENED
from pmo_common.events.payloads import (
    PracticeReference,
    ProjectAtRisk,
    ProjectRecovered,
    Reason,
)
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.intervention_repository import (
    get_open_intervention,
    insert_intervention,
    latest_health_version,
    save_intervention,
)
from pmo_standards.db.projection_repository import get_project
from pmo_standards.domain.interventions import (
    OPEN,
    Intervention,
    ReasonNote,
    is_newer_health,
    kept_health_version,
    opens_intervention,
)
from pmo_standards.handlers.audit_records import record_change
from pmo_standards.handlers.intervention_closing import STANDARDS, close_if_recovered_and_done
from pmo_standards.handlers.intervention_publishing import announce, project_facts
from pmo_standards.handlers.practice_queries import suggest_practices

log = logging.getLogger(__name__)


def _notes(reasons: list[Reason]) -> tuple[ReasonNote, ...]:
    return tuple(ReasonNote(**reason.model_dump()) for reason in reasons)


async def on_project_at_risk(session: AsyncSession, event: Consumed[ProjectAtRisk]) -> None:
    """A project entered red (or amber, which opens nothing)."""
    risk = event.payload
    if not opens_intervention(risk.rag):
        return
    project = await get_project(session, project_id=risk.project_id)
    if project is not None and project.closed:
        return
    reasons = _notes(risk.reasons)
    case = await get_open_intervention(session, project_id=risk.project_id, for_update=True)
    if case is not None:
        if is_newer_health(risk.health_version, case.health_version):
            # Red again (or still): the latest reasons, and any recovery so far is undone.
            refreshed = replace(
                case,
                reasons=reasons,
                health_version=kept_health_version(risk.health_version, case.health_version),
                recovered_at=None,
                **project_facts(risk),
            )
            await save_intervention(session, intervention=refreshed)
        return
    latest = await latest_health_version(session, project_id=risk.project_id)
    if risk.health_version is not None and latest is not None and risk.health_version <= latest:
        log.info("ignoring a replayed project.at_risk", extra={"project_id": risk.project_id})
        return
    await _open(session, risk, reasons)


async def _open(
    session: AsyncSession, risk: ProjectAtRisk, reasons: tuple[ReasonNote, ...]
) -> None:
    case = Intervention(
        id=str(uuid.uuid4()),
        **project_facts(risk),
        status=OPEN,
        opened_at=datetime.now(UTC),
        reasons=reasons,
        suggested_practices=await suggest_practices(session, reasons=reasons),
        health_version=risk.health_version,
    )
    await insert_intervention(session, intervention=case)
    await announce(
        session,
        INTERVENTION_OPENED,
        case,
        reasons=risk.reasons,
        suggested_practices=[
            PracticeReference(id=ref.id, title=ref.title) for ref in case.suggested_practices
        ],
        opened_at=case.opened_at,
    )
    await record_change(session, "opened", after=case)


async def on_project_recovered(session: AsyncSession, event: Consumed[ProjectRecovered]) -> None:
    """A red project returned to amber or green: its case closes once every action is done."""
    recovered = event.payload
    case = await get_open_intervention(session, project_id=recovered.project_id, for_update=True)
    if case is None or not is_newer_health(recovered.health_version, case.health_version):
        return
    now = datetime.now(UTC)
    case = replace(
        case,
        recovered_at=case.recovered_at or now,
        health_version=kept_health_version(recovered.health_version, case.health_version),
    )
    closed = await close_if_recovered_and_done(
        session, intervention=case, closed_by=STANDARDS, now=now
    )
    if closed.is_open:
        await save_intervention(session, intervention=case)
