"""A programme moved to another portfolio takes its projects along (ADR 0026): each active
project of it is re-homed, and announced with project.updated, in the move's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import project_repository
from pmo_intake.domain.records import Program
from pmo_intake.handlers.project_commands import apply_changes


async def rehome_projects(session: AsyncSession, *, program: Program, actor: str) -> int:
    """Move every active project of the programme (as it now is) into its portfolio; how many
    moved. A programme moved out of any portfolio leaves its projects where they are; closed
    projects keep the portfolio they closed in."""
    if program.portfolio_id is None:
        return 0
    project_ids = await project_repository.active_in_program_outside(
        session, program_id=program.id, portfolio_id=program.portfolio_id
    )
    moved = 0
    for project_id in project_ids:
        project = await project_repository.get_project(
            session, project_id=project_id, for_update=True
        )
        if project is None or project.status == "closed":
            continue  # closed meanwhile: it keeps the portfolio it closed in
        moved += 1
        await apply_changes(
            session,
            project=project,
            changes={"portfolio_id": program.portfolio_id},
            actor=actor,
            reason=f"programme {program.id} moved by {actor}",
            location=f"projects.{project_id}",
        )
    return moved
