"""Reads of silences the API needs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import silence_repository
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.db.silence_repository import list_silences
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.domain.silence_rules import SilenceRecord
from pmo_notifications.handlers.problems import found

# Page reads need nothing beyond the repository's query: served as they are.
__all__ = ["get_silence", "list_silences", "silenced_project"]


async def get_silence(session: AsyncSession, *, silence_id: str) -> SilenceRecord:
    """The silence with this id; 404 when there is none."""
    silence = await silence_repository.get_silence(session, silence_id=silence_id)
    return found(silence, "silence", silence_id)


async def silenced_project(
    session: AsyncSession, *, project_id: str | None
) -> ProjectRecord | None:
    """What is known of the project a silence names (its portfolio scopes who may silence
    it); None when it names none or notifications has not heard of it."""
    return None if project_id is None else await get_project(session, project_id=project_id)
