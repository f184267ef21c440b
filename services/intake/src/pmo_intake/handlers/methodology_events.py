"""Methodologies published by standards: intake remembers them to validate projects."""

from __future__ import annotations

from pmo_common.events.payloads import MethodologyPublished
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import projection_repository


async def on_methodology_published(
    session: AsyncSession, event: Consumed[MethodologyPublished]
) -> None:
    """Remember the methodology so projects may name it (newer versions win)."""
    methodology = event.payload
    await projection_repository.upsert_methodology(
        session, key=methodology.key, name=methodology.name, version=methodology.version
    )
