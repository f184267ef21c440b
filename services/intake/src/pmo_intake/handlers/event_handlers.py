"""Events intake consumes: methodologies published by standards (to validate projects)."""

from __future__ import annotations

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import MethodologyPublished
from pmo_common.messaging.event_applier import EventHandler
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import project_repository as repo


async def on_methodology_published(session: AsyncSession, event: CloudEvent) -> None:
    """Remember the methodology so projects may name it."""
    methodology = MethodologyPublished.model_validate(event.data)
    await repo.upsert_methodology(
        session, key=methodology.key, name=methodology.name, version=methodology.version
    )


HANDLERS: dict[str, EventHandler] = {
    "standards.methodology.published": on_methodology_published,
}
