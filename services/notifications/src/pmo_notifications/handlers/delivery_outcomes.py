"""Recording what each send achieved: the attempt's status, its next attempt, its event.

Sends end one at a time, but their outcomes are written together (handlers/group_commit.py):
the outcomes that arrive while one transaction records a batch form the next one. A delivery
costs a share of one transaction instead of a transaction of its own, the outbox relay is woken
once per batch, and each send still learns when its own outcome is stored.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import NOTIFICATION_DELIVERED, NOTIFICATION_FAILED
from pmo_common.events.payloads import DeliveryEvent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.email_channel import EMAIL
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    AttemptEnd,
    finish_attempts,
    insert_next_attempt,
    message_attempts,
)
from pmo_notifications.db.outbox import outbox
from pmo_notifications.domain.address_policy import url_without_secrets
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import (
    DELIVERED,
    FAILED,
    RETRYING,
    SKIPPED,
    DeliveryRecord,
    next_retry_in,
    outcome_status,
    schedule_started_at,
)
from pmo_notifications.domain.sending import SendOutcome
from pmo_notifications.handlers.delivery_signal import delivery_signal
from pmo_notifications.handlers.group_commit import GroupCommit

DeliveryChannel = Literal["email", "webhook", "inbox", "slack", "teams"]
log = logging.getLogger(__name__)
# Outcomes recorded in one transaction at most (a backlog is written in several).
MAX_OUTCOMES_PER_TRANSACTION = 100
_JITTER = random.SystemRandom()
# Statuses that end a message: the next one of its project to the same target may go.
_MESSAGE_ENDED = (DELIVERED, FAILED, SKIPPED)


@dataclass(frozen=True, slots=True)
class SentAttempt:
    """A claimed attempt that was tried (or skipped), and what came of it."""

    delivery: DeliveryRecord
    token: str
    outcome: SendOutcome
    skipped: bool


@dataclass(frozen=True, slots=True)
class _Ending:
    sent: SentAttempt
    status: str
    retry_in: float | None


class OutcomeRecorder:
    """Records the outcomes of sends, those ending at about the same time in one transaction."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: NotificationsSettings
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._batches = GroupCommit(self._record, max_batch=MAX_OUTCOMES_PER_TRANSACTION)

    async def record(self, sent: SentAttempt) -> None:
        """Return once the outcome is stored (its retry planned, its event in the outbox)."""
        await self._batches.submit(sent)

    async def drain(self) -> None:
        """Wait until every outcome handed in so far is stored."""
        await self._batches.drain()

    async def _record(self, batch: list[SentAttempt]) -> None:
        retries: list[float] = []
        ended = False
        async with self._sessions() as session, unit_of_work(session):
            now = utc_now()
            endings = [await self._ending(session, sent, now) for sent in batch]
            finished = await finish_attempts(
                session,
                ends=[
                    AttemptEnd(
                        delivery_id=ending.sent.delivery.id,
                        token=ending.sent.token,
                        status=ending.status,
                        http_status=ending.sent.outcome.http_status,
                        error=ending.sent.outcome.error,
                    )
                    for ending in endings
                ],
                at=now,
            )
            finished_by_id = {record.id: record for record in finished}
            for ending in endings:
                record = finished_by_id.get(ending.sent.delivery.id)
                if record is None:
                    log.warning(
                        "lost the claim on delivery %s; another replica owns it",
                        ending.sent.delivery.id,
                    )
                    continue
                if ending.status == RETRYING and ending.retry_in is not None:
                    await insert_next_attempt(
                        session,
                        previous=record,
                        next_attempt_at=now + timedelta(seconds=ending.retry_in),
                        at=now,
                    )
                    retries.append(ending.retry_in)
                    continue
                if ending.status in (DELIVERED, FAILED):
                    await _announce(session, record, delivered=ending.status == DELIVERED)
                ended = ended or ending.status in _MESSAGE_ENDED
        # Committed: wake the job when each retry falls due rather than at the next poll, and now
        # for the messages that waited behind the ones that ended.
        for retry_in in retries:
            delivery_signal.notify_later(retry_in)
        if ended:
            delivery_signal.notify()

    async def _ending(self, session: AsyncSession, sent: SentAttempt, now: datetime) -> _Ending:
        outcome = sent.outcome
        retry_in: float | None = None
        if not (outcome.delivered or sent.skipped) and outcome.retryable:
            retry_in = await self._retry_in(session, sent.delivery, now)
        status = outcome_status(
            delivered=outcome.delivered,
            skipped=sent.skipped,
            retryable=outcome.retryable,
            retry_in=retry_in,
        )
        return _Ending(sent, status, retry_in)

    async def _retry_in(
        self, session: AsyncSession, delivery: DeliveryRecord, now: datetime
    ) -> float | None:
        """Seconds until the next attempt of a failed one, None when the delivery is given up."""
        history = await message_attempts(session, message_id=delivery.message_id)
        started = schedule_started_at(history) if history else delivery.created_at
        settings = self._settings
        return next_retry_in(
            delivery.attempt,
            elapsed_seconds=(now - started).total_seconds(),
            base_seconds=settings.delivery_backoff_seconds,
            max_attempts=settings.delivery_max_attempts,
            give_up_after_seconds=settings.delivery_give_up_after_seconds,
            spread=_JITTER.uniform(-1.0, 1.0),
        )


async def _announce(session: AsyncSession, finished: DeliveryRecord, *, delivered: bool) -> None:
    """notification.delivered or notification.failed, in the outbox with the outcome."""
    await outbox.enqueue(
        session,
        NOTIFICATION_DELIVERED if delivered else NOTIFICATION_FAILED,
        DeliveryEvent(
            delivery_id=finished.id,
            alert_id=finished.alert_id,
            project_id=finished.project_id,
            channel=cast(DeliveryChannel, finished.channel),
            # Whoever reads the topic sees an e-mail address, or a URL's scheme and host only.
            target=(
                finished.target
                if finished.channel == EMAIL
                else url_without_secrets(finished.target)
            ),
            attempt=finished.attempt,
            error=finished.error,
        ),
        subject=finished.project_id,
    )
