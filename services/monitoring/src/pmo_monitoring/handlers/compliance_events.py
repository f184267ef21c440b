"""Consumed events of standards' compliance verdicts, shown with a project's health."""

from __future__ import annotations

from pmo_common.events.payloads import ComplianceEvaluated
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.copying import copied
from pmo_monitoring.domain.records import ComplianceVerdict


async def on_compliance_evaluated(
    session: AsyncSession, event: Consumed[ComplianceEvaluated]
) -> None:
    """Keep standards' latest compliance verdict, shown with the project's health."""
    evaluated = event.payload
    await projections.save_compliance(
        session,
        verdict=copied(
            ComplianceVerdict,
            evaluated,
            findings=tuple(finding.model_dump() for finding in evaluated.findings),
            evaluated_at=event.envelope.time,
        ),
    )
