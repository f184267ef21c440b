"""Status reports that reference register risks instead of re-typing them, and their audit.

A report's `risk_ids` name risks of the project's RAID register; the report keeps a snapshot
of each (title, probability, impact as the register has them when it is filed), the way a
status report snapshots its risks (ServiceNow RIDAC), so it reads the same later whatever the
register becomes. An id of no risk of the project is refused (422 naming it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace

from pmo_common.problems import invalid_fields
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import raid_repository as register
from pmo_monitoring.db.audit_trail import trail
from pmo_monitoring.domain.model import Risk, StatusReport
from pmo_monitoring.domain.raid import RaidIssue
from pmo_monitoring.domain.records import StoredReport

UNKNOWN_RISK = "no risk of this project's RAID register has this id"


async def with_referenced_risks(
    session: AsyncSession, *, project_id: str, contents: StatusReport, risk_ids: Sequence[str]
) -> StatusReport:
    """The report's contents with a snapshot of each referenced register risk after its own
    risks (each referenced once), or the 422 naming every unknown id."""
    if not risk_ids:
        return contents
    found = await register.risks_by_id(session, project_id=project_id, item_ids=set(risk_ids))
    unknown = [
        RaidIssue(f"risk_ids.{index}", UNKNOWN_RISK)
        for index, item_id in enumerate(risk_ids)
        if item_id not in found
    ]
    if unknown:
        raise invalid_fields(unknown, title="Invalid status report")
    referenced = tuple(
        Risk(found[item_id].title, found[item_id].probability or 0.0, found[item_id].impact or 1)
        for item_id in dict.fromkeys(risk_ids)
    )
    return replace(contents, risks=(*contents.risks, *referenced))


def _audit_action(existing: StoredReport | None, *, correction: bool) -> str:
    if existing is None:
        return "status_report.created"
    return "status_report.corrected" if correction else "status_report.replaced"


async def audit_report(
    session: AsyncSession, *, existing: StoredReport | None, report: StoredReport
) -> None:
    """The audit record of a report filed: created, or the same day's replaced or corrected."""
    await trail.record(
        session,
        action=_audit_action(existing, correction=report.correction),
        resource_type="status_report",
        resource_id=report.id,
        before=asdict(existing) if existing is not None else None,
        after=asdict(report),
    )
