"""What intake keeps of other services' data: the methodologies standards has published."""

from __future__ import annotations

from pmo_common.contract import SEEDED_METHODOLOGY_KEYS
from pmo_common.db.rows import insert_or_replace
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import known_methodologies


async def methodology_keys(session: AsyncSession) -> set[str]:
    """Methodologies standards has published, plus the seeded ones."""
    keys = (await session.scalars(select(known_methodologies.c.key))).all()
    return set(keys) | set(SEEDED_METHODOLOGY_KEYS)


async def upsert_methodology(session: AsyncSession, *, key: str, name: str, version: int) -> None:
    """Remember a methodology published by standards (newer versions win)."""
    current = await session.scalar(
        select(known_methodologies.c.version).where(known_methodologies.c.key == key)
    )
    if current is not None and version <= current:
        return
    await insert_or_replace(
        session,
        known_methodologies,
        {"key": key, "name": name, "version": version},
        row=known_methodologies.c.key == key,
        exists=current is not None,
    )
