"""Reads of project requests (lists straight from the repository); callers check access."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository as repo
from pmo_intake.db.request_repository import list_requests
from pmo_intake.db.transition_repository import history_of
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.handlers.problems import found

__all__ = ["get_request", "history_of", "list_requests"]


async def get_request(session: AsyncSession, *, request_id: str) -> ProjectRequest:
    """One request (404 when there is none)."""
    return found(await repo.get_request(session, request_id=request_id), "request", request_id)
