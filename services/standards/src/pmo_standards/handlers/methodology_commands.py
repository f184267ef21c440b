"""Publishing methodologies: create, revise, and seed the ones standards ships with."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pmo_common.events.payloads import MethodologyPublished, PhaseGate
from pmo_common.problems import ProblemException, not_found
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.methodology_repository import (
    StoredMethodology,
    existing_keys,
    get_methodology,
    insert_methodology,
    replace_methodology,
)
from pmo_standards.domain.methodology import Methodology
from pmo_standards.domain.seeded_methodologies import SEEDED_METHODOLOGIES

METHODOLOGY_PUBLISHED = "standards.methodology.published"
SEEDED_BY = "standards-seed"
log = logging.getLogger(__name__)


def published_payload(stored: StoredMethodology) -> MethodologyPublished:
    """The event payload announcing a methodology version."""
    methodology = stored.methodology
    return MethodologyPublished(
        key=methodology.key,
        name=methodology.name,
        version=stored.version,
        phases=list(methodology.phases),
        gates=[
            PhaseGate(key=g.key, name=g.name, required_deliverables=list(g.required_deliverables))
            for g in methodology.gates
        ],
        report_cadence_days=methodology.report_cadence_days,
        thresholds=dict(methodology.thresholds),
    )


async def _publish(
    runtime: ServiceRuntime, session: AsyncSession, stored: StoredMethodology
) -> None:
    await runtime.emit(
        session, METHODOLOGY_PUBLISHED, published_payload(stored), subject=stored.methodology.key
    )


def _already_exists(key: str) -> ProblemException:
    return ProblemException(
        409,
        "Methodology already exists",
        f"A methodology with key '{key}' already exists; "
        f"revise it with PUT /v1/methodologies/{key}.",
        errors=[{"field": "body.key", "reason": "already taken"}],
    )


async def find_methodology(session: AsyncSession, *, key: str) -> StoredMethodology:
    """The current version of a methodology; 404 problem when there is none."""
    stored = await get_methodology(session, key=key)
    if stored is None:
        raise not_found("methodology", key, "GET /v1/methodologies lists the known ones.")
    return stored


async def create_methodology(
    session: AsyncSession, *, runtime: ServiceRuntime, methodology: Methodology, published_by: str
) -> StoredMethodology:
    """Store a new methodology as version 1 and publish it; 409 when the key is taken."""
    if await get_methodology(session, key=methodology.key) is not None:
        raise _already_exists(methodology.key)
    try:
        stored = await insert_methodology(
            session, methodology=methodology, published_by=published_by, now=datetime.now(UTC)
        )
    except IntegrityError as exc:  # a concurrent create won the race
        raise _already_exists(methodology.key) from exc
    await _publish(runtime, session, stored)
    return stored


async def revise_methodology(
    session: AsyncSession,
    *,
    runtime: ServiceRuntime,
    methodology: Methodology,
    expected_version: int | None,
    published_by: str,
) -> tuple[StoredMethodology, bool]:
    """Publish the next version; returns it and whether anything changed.

    Re-sending the current definition changes nothing and publishes nothing, which keeps PUT
    idempotent. `expected_version`, when given, guards against overwriting a revision the
    caller has not seen (409).
    """
    current = await find_methodology(session, key=methodology.key)
    if expected_version is not None and expected_version != current.version:
        raise ProblemException(
            409,
            "Methodology version conflict",
            f"The revision was based on version {expected_version} of '{methodology.key}' but "
            f"the current version is {current.version}; read it again and re-apply the change.",
            errors=[{"field": "body.version", "reason": f"current version is {current.version}"}],
        )
    if current.methodology == methodology:
        return current, False
    try:
        stored = await replace_methodology(
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
    await _publish(runtime, session, stored)
    return stored, True


async def seed_methodologies(runtime: ServiceRuntime) -> list[str]:
    """Insert and publish the shipped methodologies that are missing; returns their keys."""
    wanted = [m.key for m in SEEDED_METHODOLOGIES]
    for _attempt in range(2):
        try:
            async with runtime.sessions() as session, session.begin():
                present = await existing_keys(session, keys=wanted)
                now = datetime.now(UTC)
                added: list[str] = []
                for methodology in SEEDED_METHODOLOGIES:
                    if methodology.key in present:
                        continue
                    stored = await insert_methodology(
                        session, methodology=methodology, published_by=SEEDED_BY, now=now
                    )
                    await _publish(runtime, session, stored)
                    added.append(methodology.key)
            if added:
                log.info("seeded methodologies: %s", ", ".join(added))
            return added
        except IntegrityError:
            # Another replica seeded at the same moment; look again at what is there now.
            log.info("methodologies were seeded concurrently; checking again")
    return []
