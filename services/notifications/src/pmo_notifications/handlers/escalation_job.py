"""The escalation ladder job: every PMO_NOTIFICATIONS_ESCALATION_CHECK_SECONDS, each open alert
whose next step is due takes that one step (handlers/alert_escalation.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from pmo_common.messaging.waiting import run_every
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.alert_ladder_repository import alerts_due_to_escalate
from pmo_notifications.db.escalation_policy_repository import all_policies
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.escalation_ladder import PMO
from pmo_notifications.handlers.alert_escalation import take_escalation_step

log = logging.getLogger(__name__)

# Alerts looked at per pass; more wait for the next pass, longest due first.
ALERTS_PER_PASS = 200


async def escalate_due_alerts(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime, pmo_emails: Sequence[str]
) -> int:
    """Take the due step of every alert due at `now`, each in its own unit of work; returns
    how many steps this call took (another replica may take some of them first)."""
    async with sessions() as session:
        due = await alerts_due_to_escalate(session, now=now, limit=ALERTS_PER_PASS)
    taken = 0
    for alert_id in due:
        async with sessions() as session:
            if await take_escalation_step(
                session, alert_id=alert_id, now=now, pmo_emails=pmo_emails
            ):
                taken += 1
    return taken


async def warn_of_pmo_levels_telling_nobody(runtime: ServiceRuntime) -> None:
    """At start-up, warn when a policy's level names `pmo` while PMO_NOTIFICATIONS_PMO_EMAILS
    is empty (as out of the box, with the seeded default): such a level would e-mail nobody,
    silently. One read of the policies, and none when the setting is set."""
    if _settings(runtime).pmo_emails:
        return
    async with runtime.sessions() as session:
        policies = await all_policies(session)
    names = sorted(p.name for p in policies if any(PMO in level.notify for level in p.levels))
    if names:
        log.warning(
            "The escalation policies %s have a level that tells the PMO, but "
            "PMO_NOTIFICATIONS_PMO_EMAILS is empty: that level will e-mail nobody until the "
            "setting lists the PMO's addresses.",
            ", ".join(f'"{name}"' for name in names),
        )


def _settings(runtime: ServiceRuntime) -> NotificationsSettings:
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the escalation job needs NotificationsSettings")
    return settings


async def run_escalation_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Check the ladder every few seconds until the service stops (0: never in this process)."""
    settings = _settings(runtime)
    await run_every(
        stop,
        settings.escalation_check_seconds,
        lambda: escalate_due_alerts(
            runtime.sessions, now=utc_now(), pmo_emails=settings.pmo_emails
        ),
        what="escalation ladder check",
        counted="escalation steps taken",
    )
