"""Silence use cases: vet and store a silence, end one early."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db import silence_repository
from pmo_notifications.domain.clock import in_utc, utc_now
from pmo_notifications.domain.silence_rules import SilenceRecord, silence_violations
from pmo_notifications.handlers.audit_records import record_change

# The caller's precondition (If-Match) on the silence as it is now, read locked; None when it
# was deleted meanwhile.
SilenceCheck = Callable[[SilenceRecord | None], None]


def checked_silence(
    *,
    project_id: str | None,
    portfolio_id: str | None,
    reason: str,
    starts_at: datetime | None,
    ends_at: datetime,
    created_by: str,
    may_silence_everything: bool,
    now: datetime | None = None,
) -> SilenceRecord:
    """The silence to store, starting `now` (the current time) unless told; 422 naming each
    rule it breaks. Its instants are in UTC, whatever offset they were given in."""
    now = in_utc(now or utc_now())
    starts = in_utc(starts_at) if starts_at is not None else now
    ends_at = in_utc(ends_at)
    raise_if_invalid(
        silence_violations(
            project_id=project_id,
            portfolio_id=portfolio_id,
            starts_at=starts,
            ends_at=ends_at,
            now=now,
            may_silence_everything=may_silence_everything,
        ),
        location=None,
    )
    return SilenceRecord(
        id=str(uuid.uuid4()),
        project_id=project_id,
        portfolio_id=portfolio_id,
        reason=reason,
        starts_at=starts,
        ends_at=ends_at,
        created_by=created_by,
        created_at=now,
    )


async def create_silence(session: AsyncSession, *, silence: SilenceRecord) -> SilenceRecord:
    """Store a vetted silence."""
    async with unit_of_work(session):
        await silence_repository.insert_silence(session, silence=silence)
        await record_change(session, "created", before=None, after=silence)
    return silence


async def delete_silence(session: AsyncSession, *, silence_id: str, check: SilenceCheck) -> None:
    """End a silence now: notifications flow again for its scope. `check` runs on it read
    locked; one deleted meanwhile without If-Match stays deleted (nothing more is recorded)."""
    async with unit_of_work(session):
        current = await silence_repository.get_silence(
            session, silence_id=silence_id, for_update=True
        )
        check(current)
        if current is None:
            return
        await silence_repository.delete_silence(session, silence_id=silence_id)
        await record_change(session, "deleted", before=current, after=None)
