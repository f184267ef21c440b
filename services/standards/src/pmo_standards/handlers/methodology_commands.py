"""Publishing methodologies: create, revise, and seed the ones standards ships with."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import METHODOLOGY_PUBLISHED
from pmo_common.events.payloads import MethodologyPublished
from pmo_common.problems import ProblemException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_standards.db.audit_trail import trail
from pmo_standards.db.methodology_repository import (
    existing_keys,
    get_methodology,
    insert_methodology,
    replace_methodology,
)
from pmo_standards.db.outbox import outbox
from pmo_standards.domain.methodology import Methodology, PublishedMethodology
from pmo_standards.domain.seeded_methodologies import SEEDED_METHODOLOGIES
from pmo_standards.handlers.methodology_queries import find_methodology

SEEDED_BY = "standards-seed"
log = logging.getLogger(__name__)

# The caller's precondition on the current version (If-Match), run with its row locked.
MethodologyCheck = Callable[[PublishedMethodology], None]


def published_payload(published: PublishedMethodology) -> MethodologyPublished:
    """The event payload announcing a methodology version."""
    return MethodologyPublished.model_validate(
        {**asdict(published.methodology), "version": published.version}
    )


async def _audit(
    session: AsyncSession,
    action: str,
    before: PublishedMethodology | None,
    after: PublishedMethodology,
) -> None:
    await trail.record(
        session,
        action=action,
        resource_type="methodology",
        resource_id=after.methodology.key,
        before=None if before is None else published_payload(before),
        after=published_payload(after),
    )


async def _announce(session: AsyncSession, published: PublishedMethodology) -> None:
    await outbox.enqueue(
        session,
        METHODOLOGY_PUBLISHED,
        published_payload(published),
        subject=published.methodology.key,
    )


def _already_exists(key: str) -> ProblemException:
    return ProblemException(
        409,
        "Methodology already exists",
        f"A methodology with key '{key}' already exists; "
        f"revise it with PUT /v1/methodologies/{key}.",
        errors=[{"field": "body.key", "reason": "already taken"}],
    )


async def create_methodology(
    session: AsyncSession, *, methodology: Methodology, published_by: str
) -> PublishedMethodology:
    """Store a new methodology as version 1 and publish it; 409 when the key is taken."""
    async with unit_of_work(session):
        if await get_methodology(session, key=methodology.key) is not None:
            raise _already_exists(methodology.key)
        try:
            published = await insert_methodology(
                session, methodology=methodology, published_by=published_by, now=datetime.now(UTC)
            )
        except IntegrityError as exc:  # a concurrent create won the race
            raise _already_exists(methodology.key) from exc
        await _announce(session, published)
        await _audit(session, "methodology.published", None, published)
    return published


async def revise_methodology(
    session: AsyncSession,
    *,
    methodology: Methodology,
    expected_version: int | None,
    published_by: str,
    check: MethodologyCheck | None = None,
) -> tuple[PublishedMethodology, bool]:
    """Publish the next version; returns it and whether anything changed.

    Re-sending the current definition changes nothing and publishes nothing, which keeps PUT
    idempotent. `expected_version`, when given, guards against overwriting a revision the
    caller has not seen (409); `check` (If-Match) runs on the current version, read locked so
    that no other revision slips in between.
    """
    async with unit_of_work(session):
        current = await find_methodology(session, key=methodology.key, for_update=True)
        if check is not None:
            check(current)
        if expected_version is not None and expected_version != current.version:
            raise ProblemException(
                409,
                "Methodology version conflict",
                f"The revision was based on version {expected_version} of '{methodology.key}' "
                f"but the current version is {current.version}; read it again and re-apply the "
                "change.",
                errors=[
                    {"field": "body.version", "reason": f"current version is {current.version}"}
                ],
            )
        if current.methodology == methodology:
            return current, False
        try:
            published = await replace_methodology(
                session,
                current=current,
                methodology=methodology,
                published_by=published_by,
                now=datetime.now(UTC),
            )
        except LookupError as exc:
            raise ProblemException(
                409,
                "Methodology version conflict",
                f"'{methodology.key}' was revised by someone else at the same time; retry.",
            ) from exc
        await _announce(session, published)
        await _audit(session, "methodology.updated", current, published)
    return published, True


async def seed_methodologies(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """Insert and publish the shipped methodologies that are missing; returns their keys."""
    wanted = [m.key for m in SEEDED_METHODOLOGIES]
    for _attempt in range(2):
        try:
            async with sessions() as session, unit_of_work(session):
                present = await existing_keys(session, keys=wanted)
                now = datetime.now(UTC)
                added: list[str] = []
                for methodology in SEEDED_METHODOLOGIES:
                    if methodology.key in present:
                        continue
                    published = await insert_methodology(
                        session, methodology=methodology, published_by=SEEDED_BY, now=now
                    )
                    await _announce(session, published)
                    added.append(methodology.key)
            if added:
                log.info("seeded methodologies: %s", ", ".join(added))
            return added
        except IntegrityError:
            # Another replica seeded at the same moment; look again at what is there now.
            log.info("methodologies were seeded concurrently; checking again")
    return []
