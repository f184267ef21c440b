"""What the RAID register adds to a project's health: dependencies at risk and risk exposure.

Called on every judgement of a project's latest report (`health_assessment.judge_report`), so
the health stored after a report, after a change of the register, and answered on read all
say the same. Only the reading as of today gets them: a report's point of the history is what
its own figures said on its day.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import raid_repository as register
from pmo_monitoring.domain.dependencies import dependency_reasons, with_register
from pmo_monitoring.domain.health_rules import ReportJudgement
from pmo_monitoring.domain.model import Risk, Thresholds
from pmo_monitoring.domain.records import MonitoredProject
from pmo_monitoring.domain.risk_exposure import register_exposure


async def register_signals(
    session: AsyncSession,
    project: MonitoredProject,
    judged: ReportJudgement,
    thresholds: Thresholds,
) -> ReportJudgement:
    """`judged` with, as of today, the register's dependency reasons and risk exposure."""
    register_says = await register.register_signals(session, project_id=project.id)
    risks = register_says.risks
    exposure = register_exposure(
        (Risk(r.title, r.probability or 0.0, r.impact or 1) for r in risks if r.is_open),
        register_has_risks=bool(risks),
    )
    today = with_register(
        judged.today,
        dependencies=dependency_reasons(register_says.dependencies, thresholds),
        risks=exposure,
    )
    return judged if today is judged.today else replace(judged, today=today)
