"""Finding a project monitoring knows, with what its health is judged and shown with."""

from __future__ import annotations

from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.records import ProjectContext


def unheard_of(project_id: str) -> ProblemException:
    """The 404 for a project intake has not (yet) told monitoring about."""
    return ProblemException(
        404,
        phrase("Project not found"),
        phrase(
            "Monitoring has not heard of project {project_id} yet. If it was just created in "
            "intake, retry in a few seconds.",
            project_id=project_id,
        ),
    )


async def load_project(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> ProjectContext:
    """The projected project with its methodology and compliance, or the plain-language 404.

    `for_update` locks the project's row (PostgreSQL) until the transaction ends.
    """
    context = await projections.get_project_context(
        session, project_id=project_id, for_update=for_update
    )
    if context is None:
        raise unheard_of(project_id)
    return context
