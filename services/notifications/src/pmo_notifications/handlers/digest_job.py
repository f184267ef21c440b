"""The digest job: every PMO_NOTIFICATIONS_DIGEST_CHECK_SECONDS, each reader whose daily (or, on
Mondays, weekly) digest is due and not yet claimed gets it (handlers/digest_sending.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from pmo_common.messaging.waiting import run_every, sleep_or_stop
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.digest_repository import recipients_without_digest
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.digest_periods import PERIODS, DigestSchedule, DigestWanted
from pmo_notifications.handlers.digest_sending import send_digest

log = logging.getLogger(__name__)

# Readers handled per period and pass; the rest wait for the next pass (a minute later).
READERS_PER_PASS = 200


def digest_schedule(settings: NotificationsSettings) -> DigestSchedule:
    """The configured hour and time zone of the digests."""
    return DigestSchedule(hour=settings.digest_hour, zone=settings.zone)


async def send_due_digests(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime, schedule: DigestSchedule
) -> int:
    """Send every digest due at `now` that no replica has claimed, each reader in a unit of work
    of their own; returns how many e-mails this call planned."""
    sent = 0
    for period in PERIODS:
        period_key = schedule.due(period, now)
        if period_key is None:
            continue
        async with sessions() as session:
            readers = await recipients_without_digest(
                session, period=period, period_key=period_key, limit=READERS_PER_PASS
            )
        for reader in readers:
            try:
                async with sessions() as session:
                    wanted = DigestWanted(reader, period, period_key)
                    sent += await send_digest(session, wanted, now=now, schedule=schedule)
            except Exception:
                # One reader's failure must not hold back the others; theirs is tried again on
                # the next pass (nothing was claimed).
                log.exception("the %s digest %s of %s failed", period, period_key, reader)
    return sent


async def run_digest_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Check for due digests every few seconds until the service stops (0: never here)."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the digest job needs NotificationsSettings")
    schedule = digest_schedule(settings)
    if settings.digest_check_seconds > 0:
        # The first check comes one interval after start, not at once: replicas starting
        # together do not all compose at the same instant, and a digest is never due to the
        # second (it is due all day from its hour).
        await sleep_or_stop(stop, settings.digest_check_seconds)
    await run_every(
        stop,
        settings.digest_check_seconds,
        lambda: send_due_digests(runtime.sessions, now=utc_now(), schedule=schedule),
        what="digest check",
        counted="digests sent",
    )
