"""Reads and writes of methodologies and their version history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_common.db.rows import fetch_one, fetch_page, record_from
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import methodologies, methodology_versions
from pmo_standards.domain.methodology import Gate, Methodology, PublishedMethodology


def _gate_document(gate: Gate) -> dict[str, Any]:
    return {
        "key": gate.key,
        "name": gate.name,
        "phase": gate.phase,
        "required_deliverables": list(gate.required_deliverables),
    }


def _gate_from(document: dict[str, Any]) -> Gate:
    return Gate(
        key=document["key"],
        name=document["name"],
        phase=document.get("phase"),
        required_deliverables=tuple(document.get("required_deliverables", ())),
    )


def _published_from(row: RowMapping) -> PublishedMethodology:
    methodology = record_from(
        Methodology,
        row,
        phases=tuple(row["phases"]),
        gates=tuple(_gate_from(g) for g in row["gates"]),
        thresholds=dict(row["thresholds"]),
    )
    return record_from(PublishedMethodology, row, methodology=methodology)


def _content(methodology: Methodology) -> dict[str, Any]:
    return {
        "name": methodology.name,
        "description": methodology.description,
        "phases": list(methodology.phases),
        "gates": [_gate_document(g) for g in methodology.gates],
        "report_cadence_days": methodology.report_cadence_days,
        "thresholds": dict(methodology.thresholds),
    }


async def get_methodology(
    session: AsyncSession, *, key: str, for_update: bool = False
) -> PublishedMethodology | None:
    """The current version of a methodology, or None; `for_update` locks it (PostgreSQL)."""
    query = select(methodologies).where(methodologies.c.key == key)
    if for_update:
        query = query.with_for_update()
    return await fetch_one(session, query, _published_from)


async def list_methodologies(
    session: AsyncSession, *, page: PageRequest
) -> list[PublishedMethodology]:
    """A page of current versions, ordered by key."""
    query = select(methodologies).order_by(methodologies.c.key)
    return await fetch_page(session, query, _published_from, page)


async def existing_keys(session: AsyncSession, *, keys: list[str]) -> set[str]:
    """Which of the keys already name a methodology."""
    result = await session.scalars(select(methodologies.c.key).where(methodologies.c.key.in_(keys)))
    return set(result)


async def insert_methodology(
    session: AsyncSession, *, methodology: Methodology, published_by: str, now: datetime
) -> PublishedMethodology:
    """Store a new methodology as version 1."""
    await session.execute(
        insert(methodologies).values(
            key=methodology.key,
            version=1,
            created_at=now,
            updated_at=now,
            published_by=published_by,
            **_content(methodology),
        )
    )
    await _record_version(
        session, methodology=methodology, version=1, published_by=published_by, now=now
    )
    return PublishedMethodology(
        methodology, version=1, created_at=now, updated_at=now, published_by=published_by
    )


async def replace_methodology(
    session: AsyncSession,
    *,
    current: PublishedMethodology,
    methodology: Methodology,
    published_by: str,
    now: datetime,
) -> PublishedMethodology:
    """Store the next version of a methodology.

    The update is conditional on the version read, so two concurrent revisions cannot both
    become the same next version: the loser raises LookupError and may retry.
    """
    version = current.version + 1
    result = await session.execute(
        update(methodologies)
        .where(methodologies.c.key == methodology.key, methodologies.c.version == current.version)
        .values(version=version, updated_at=now, published_by=published_by, **_content(methodology))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LookupError(f"methodology {methodology.key} changed while it was being revised")
    await _record_version(
        session, methodology=methodology, version=version, published_by=published_by, now=now
    )
    return PublishedMethodology(
        methodology,
        version=version,
        created_at=current.created_at,
        updated_at=now,
        published_by=published_by,
    )


async def _record_version(
    session: AsyncSession,
    *,
    methodology: Methodology,
    version: int,
    published_by: str,
    now: datetime,
) -> None:
    await session.execute(
        insert(methodology_versions).values(
            key=methodology.key,
            version=version,
            definition={"key": methodology.key, **_content(methodology)},
            published_at=now,
            published_by=published_by,
        )
    )
