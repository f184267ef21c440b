"""Reads of alerts the API needs; the caller applies the access checks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import alert_repository
from pmo_notifications.db.alert_repository import list_alerts
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.handlers.problems import found

# Page reads need nothing beyond the repository's query: served as they are.
__all__ = ["alert_and_project", "list_alerts"]


async def alert_and_project(
    session: AsyncSession, *, alert_id: str
) -> tuple[AlertRecord, ProjectRecord | None]:
    """The alert (404 when there is none) and what is known of its project."""
    alert = found(await alert_repository.get_alert(session, alert_id=alert_id), "alert", alert_id)
    return alert, await get_project(session, project_id=alert.project_id)
