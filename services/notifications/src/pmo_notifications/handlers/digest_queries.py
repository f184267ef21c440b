"""A reader's digest of a period as it stands: read from the projections, laid out by the domain
(the preview route shows it; the digest job sends it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.digest_repository import (
    last_digest_at,
    open_actions,
    open_alerts,
    portfolios_owned,
)
from pmo_notifications.db.projection_repository import health_changes_since, list_projects
from pmo_notifications.db.silence_repository import active_silences
from pmo_notifications.domain.digest_content import (
    DailyDigest,
    Digest,
    DigestFrame,
    WeeklyDigest,
    daily_digest,
    digest_projects,
    weekly_digest,
)
from pmo_notifications.domain.digest_periods import (
    DAILY,
    DigestSchedule,
    DigestWanted,
    window_start,
)
from pmo_notifications.domain.project_projection import normalised_email
from pmo_notifications.domain.silence_rules import covering_silence


async def build_digest(
    session: AsyncSession, wanted: DigestWanted, *, now: datetime, schedule: DigestSchedule
) -> Digest:
    """The reader's digest of the period wanted, as of `now`: what changed since their previous
    digest of that period (or one period back, for a first one)."""
    reader = normalised_email(wanted.recipient) or ""
    last = await last_digest_at(session, recipient=reader, period=wanted.period)
    frame = DigestFrame(
        recipient=reader,
        period_key=wanted.period_key,
        since=window_start(wanted.period, now=now, last_sent=last),
        timezone=schedule.zone.key,
        today=schedule.today(now),
    )
    if wanted.period == DAILY:
        return await _daily(session, frame, now=now)
    return await _weekly(session, frame, now=now)


async def _daily(session: AsyncSession, frame: DigestFrame, *, now: datetime) -> DailyDigest:
    # The active projects the reader manages (not those they only sponsor).
    led = await list_projects(session, led_by=frame.recipient)
    projects = [project for project in led if project.manager == frame.recipient]
    ids = [project.id for project in projects]
    silences = await active_silences(session, at=now)
    silenced = {}
    for project in projects:
        silence = covering_silence(
            silences, project_id=project.id, portfolio_id=project.portfolio_id, at=now
        )
        if silence is not None:
            silenced[project.id] = silence.ends_at
    shown = digest_projects(
        projects, await health_changes_since(session, ids, frame.since, until=now), silenced
    )
    return daily_digest(
        frame,
        shown,
        await open_alerts(session, project_ids=ids),
        await open_actions(session, project_ids=ids),
    )


async def _weekly(session: AsyncSession, frame: DigestFrame, *, now: datetime) -> WeeklyDigest:
    portfolios = await portfolios_owned(session, owner=frame.recipient)
    projects = await list_projects(session, portfolio_ids=[p.id for p in portfolios])
    # Changes before `now`, the instant the digest is of and its claim records as sent: the
    # next digest starts there, so a change is listed once.
    changes = await health_changes_since(session, [p.id for p in projects], frame.since, until=now)
    return weekly_digest(frame, portfolios, projects, digest_projects(projects, changes))
