"""The delivery job: claims due attempts, sends them, records outcomes and schedules retries."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal, cast

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import NOTIFICATION_DELIVERED, NOTIFICATION_FAILED
from pmo_common.events.payloads import DeliveryEvent
from pmo_common.messaging.waiting import sleep_or_stop, wait_any
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.channel import Channel
from pmo_notifications.channels.registry import build_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    claim_due_deliveries,
    finish_attempt,
    insert_next_attempt,
)
from pmo_notifications.db.outbox import outbox
from pmo_notifications.db.subscription_repository import get_subscription
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import (
    DELIVERED,
    FAILED,
    RETRYING,
    DeliveryRecord,
    outcome_status,
    retry_delay_seconds,
)
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.handlers.delivery_signal import delivery_signal

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 20
SUBSCRIPTION_GONE = "the subscription was deleted"


class DeliveryDispatcher:
    """Sends due delivery attempts over their channel, at most once per claim."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: NotificationsSettings,
        channels: Mapping[str, Channel],
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._channels = channels
        self._in_flight: set[asyncio.Task[None]] = set()
        # Long enough that a healthy replica always finishes its sends inside its lease.
        self._lease = timedelta(
            seconds=max(
                30.0, 3 * max(settings.webhook_timeout_seconds, settings.smtp_timeout_seconds)
            )
        )

    async def start_due(self) -> int:
        """Claim due attempts and start sending them; returns how many were started.

        Sends run side by side (at most MAX_IN_FLIGHT), so a slow webhook does not hold up the
        e-mails and webhooks claimed after it.
        """
        capacity = MAX_IN_FLIGHT - len(self._in_flight)
        if capacity <= 0:
            return 0
        token = str(uuid.uuid4())
        now = utc_now()
        async with self._sessions() as session, unit_of_work(session):
            claimed = await claim_due_deliveries(
                session, now=now, lease_until=now + self._lease, token=token, limit=capacity
            )
        for delivery in claimed:
            task = asyncio.create_task(self._attempt(delivery, token))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    async def drain(self) -> None:
        """Wait for every send in flight to finish and be recorded."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _attempt(self, delivery: DeliveryRecord, token: str) -> None:
        try:
            outcome, skipped = await self._send(delivery)
        except Exception as exc:
            log.exception("delivery %s failed unexpectedly", delivery.id)
            outcome, skipped = SendOutcome.failure(f"{type(exc).__name__}: {exc}"), False
        try:
            await self._record(delivery, token, outcome, skipped=skipped)
        except Exception:
            # The lease runs out and another pass retries the row: at least once, never lost.
            log.exception("could not record the outcome of delivery %s", delivery.id)

    async def _send(self, delivery: DeliveryRecord) -> tuple[SendOutcome, bool]:
        channel = self._channels[delivery.channel]
        secret = None
        if channel.signs_messages:
            secret = await self._live_secret(delivery.subscription_id)
            if secret is None:
                return SendOutcome.failure(SUBSCRIPTION_GONE, retryable=False), True
        message = OutgoingMessage(
            target=delivery.target,
            subject=delivery.subject,
            body=delivery.payload,
            message_id=delivery.message_id,
            secret=secret,
        )
        return await channel.send(message), False

    async def _live_secret(self, subscription_id: str | None) -> str | None:
        if subscription_id is None:
            return None
        async with self._sessions() as session:
            subscription = await get_subscription(session, subscription_id=subscription_id)
        return subscription.secret if subscription else None

    async def _record(
        self, delivery: DeliveryRecord, token: str, outcome: SendOutcome, *, skipped: bool
    ) -> None:
        status = outcome_status(
            delivered=outcome.delivered,
            skipped=skipped,
            attempt=delivery.attempt,
            max_attempts=self._settings.delivery_max_attempts,
            retryable=outcome.retryable,
        )
        retry_in: float | None = None
        async with self._sessions() as session, unit_of_work(session):
            now = utc_now()
            finished = await finish_attempt(
                session,
                delivery_id=delivery.id,
                token=token,
                status=status,
                http_status=outcome.http_status,
                error=outcome.error,
                at=now,
            )
            if finished is None:
                log.warning("lost the claim on delivery %s; another replica owns it", delivery.id)
                return
            if status == RETRYING:
                retry_in = retry_delay_seconds(
                    delivery.attempt, base_seconds=self._settings.delivery_backoff_seconds
                )
                await insert_next_attempt(
                    session,
                    previous=finished,
                    next_attempt_at=now + timedelta(seconds=retry_in),
                    at=now,
                )
            elif status in (DELIVERED, FAILED):
                await outbox.enqueue(
                    session,
                    NOTIFICATION_DELIVERED if status == DELIVERED else NOTIFICATION_FAILED,
                    DeliveryEvent(
                        delivery_id=finished.id,
                        alert_id=finished.alert_id,
                        project_id=finished.project_id,
                        channel=cast(Literal["email", "webhook"], finished.channel),
                        target=finished.target,
                        attempt=finished.attempt,
                        error=finished.error,
                    ),
                    subject=finished.project_id,
                )
        if retry_in is not None:
            # The retry is committed: wake the job when it falls due rather than at the next poll.
            delivery_signal.notify_later(retry_in)


async def run_delivery_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set: woken on every commit that plans deliveries and whenever a
    retry falls due, else polling."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the delivery job needs NotificationsSettings")
    dispatcher = DeliveryDispatcher(
        sessions=runtime.sessions, settings=settings, channels=build_channels(settings)
    )
    wake = delivery_signal.listen()
    try:
        while not stop.is_set():
            wake.clear()
            try:
                handled = await dispatcher.start_due()
            except Exception:
                log.exception("delivery pass failed; retrying")
                await sleep_or_stop(stop, 1.0)
                continue
            if handled == 0:
                await wait_any(wake, stop, settings.delivery_poll_interval_seconds)
    finally:
        delivery_signal.forget(wake)
        await dispatcher.drain()
