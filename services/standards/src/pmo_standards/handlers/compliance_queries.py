"""Reads of a project's compliance with its methodology."""

from __future__ import annotations

from datetime import UTC, datetime

from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.deliverable_repository import submitted_deliverables
from pmo_standards.db.gate_decision_repository import list_gate_decisions
from pmo_standards.db.methodology_repository import get_methodology
from pmo_standards.domain.compliance import ProjectCompliance, assess_compliance, latest_decisions
from pmo_standards.domain.methodology import PublishedMethodology
from pmo_standards.domain.projects import ProjectView


async def methodology_of(session: AsyncSession, *, project: ProjectView) -> PublishedMethodology:
    """The current version of the project's methodology; 409 problem when standards lacks it."""
    published = None
    if project.methodology is not None:
        published = await get_methodology(session, key=project.methodology)
    if published is None:
        raise ProblemException(
            409,
            "Methodology unknown",
            f"Project {project.id} follows methodology '{project.methodology}', which standards "
            "does not know; publish it with POST /v1/methodologies first.",
        )
    return published


async def evaluate_compliance(session: AsyncSession, *, project: ProjectView) -> ProjectCompliance:
    """Assess the project against its methodology's gates."""
    methodology = await methodology_of(session, project=project)
    filed = await submitted_deliverables(session, project_id=project.id)
    assessment = assess_compliance(methodology.methodology, ((d.gate, d.name) for d in filed))
    decisions = await list_gate_decisions(session, project_id=project.id)
    return ProjectCompliance(
        project=project,
        methodology=methodology,
        assessment=assessment,
        deliverables=tuple(filed),
        decisions=latest_decisions(decisions),
        evaluated_at=datetime.now(UTC),
    )
