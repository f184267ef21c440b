"""Reads of interventions, with the manager each case answers to."""

from __future__ import annotations

from dataclasses import replace

from pmo_common.problems import not_found
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.intervention_repository import get_intervention, list_interventions
from pmo_standards.db.projection_repository import get_project
from pmo_standards.domain.interventions import Intervention, InterventionFilter


async def load_intervention(
    session: AsyncSession, *, intervention_id: str, for_update: bool = False
) -> Intervention:
    """A case, its `manager` the project's current one; 404 problem when there is none.

    Intake's events keep standards' projection current, so a manager who handed the project
    over stops answering for its case; a project standards has not heard of keeps the manager
    project.at_risk named.
    """
    case = await get_intervention(session, intervention_id=intervention_id, for_update=for_update)
    if case is None:
        raise not_found("intervention", intervention_id)
    project = await get_project(session, project_id=case.project_id)
    if project is not None and project.manager:
        return replace(case, manager=project.manager)
    return case


async def find_interventions(
    session: AsyncSession, *, where: InterventionFilter, page: PageRequest
) -> list[Intervention]:
    """A page of the cases matching the filter, newest first."""
    return await list_interventions(session, where=where, page=page)
