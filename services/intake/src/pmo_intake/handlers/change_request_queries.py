"""Reads of change requests; callers check access to the project first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import change_request_repository as repo
from pmo_intake.db.change_request_repository import list_change_requests
from pmo_intake.domain.baselines import ChangeRequest
from pmo_intake.handlers.problems import found

__all__ = ["get_change_request", "list_change_requests"]


async def get_change_request(
    session: AsyncSession, *, project_id: str, request_id: str
) -> ChangeRequest:
    """One change request of the project (404 when the project has none with this id)."""
    request = await repo.get_change_request(session, request_id=request_id)
    if request is not None and request.project_id != project_id:
        request = None  # another project's request is not found under this one
    return found(request, "change request", request_id)
