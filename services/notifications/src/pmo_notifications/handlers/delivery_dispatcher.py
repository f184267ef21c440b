"""The delivery job: claims due attempts, sends them, records outcomes and schedules retries."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Literal, cast

from pmo_common.events.payloads import DeliveryEvent
from pmo_common.messaging.waiting import sleep_or_stop, wait_any
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.email_channel import SmtpMailer
from pmo_notifications.channels.send_outcome import SendOutcome
from pmo_notifications.channels.webhook_channel import WebhookSender
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    DeliveryRecord,
    claim_due_deliveries,
    finish_attempt,
    insert_next_attempt,
)
from pmo_notifications.db.subscription_repository import get_subscription
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain.delivery_schedule import (
    DELIVERED,
    FAILED,
    RETRYING,
    SKIPPED,
    may_retry,
    retry_delay_seconds,
)
from pmo_notifications.handlers.delivery_signal import delivery_signal
from pmo_notifications.handlers.event_publishing import publish_event

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
        mailer: SmtpMailer,
        webhooks: WebhookSender,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._mailer = mailer
        self._webhooks = webhooks
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
        async with self._sessions() as session, session.begin():
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
        if delivery.channel == "email":
            outcome = await self._mailer.send(
                to=delivery.target,
                subject=delivery.subject or "",
                body=delivery.payload,
                message_id=delivery.message_id,
            )
            return outcome, False
        secret = await self._live_secret(delivery.subscription_id)
        if secret is None:
            return SendOutcome.failure(SUBSCRIPTION_GONE, retryable=False), True
        outcome = await self._webhooks.send(
            url=delivery.target,
            body=delivery.payload.encode(),
            secret=secret,
            message_id=delivery.message_id,
        )
        return outcome, False

    async def _live_secret(self, subscription_id: str | None) -> str | None:
        if subscription_id is None:
            return None
        async with self._sessions() as session:
            subscription = await get_subscription(session, subscription_id=subscription_id)
        return subscription.secret if subscription else None

    async def _record(
        self, delivery: DeliveryRecord, token: str, outcome: SendOutcome, *, skipped: bool
    ) -> None:
        max_attempts = self._settings.delivery_max_attempts
        if outcome.delivered:
            status = DELIVERED
        elif skipped:
            status = SKIPPED
        elif may_retry(delivery.attempt, max_attempts=max_attempts, retryable=outcome.retryable):
            status = RETRYING
        else:
            status = FAILED
        async with self._sessions() as session, session.begin():
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
                delay = retry_delay_seconds(
                    delivery.attempt, base_seconds=self._settings.delivery_backoff_seconds
                )
                await insert_next_attempt(
                    session,
                    previous=finished,
                    next_attempt_at=now + timedelta(seconds=delay),
                    at=now,
                )
            elif status in (DELIVERED, FAILED):
                await publish_event(
                    session,
                    "notification.delivered" if status == DELIVERED else "notification.failed",
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


async def run_delivery_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set: woken on every commit that plans deliveries, else polling."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the delivery job needs NotificationsSettings")
    dispatcher = DeliveryDispatcher(
        sessions=runtime.sessions,
        settings=settings,
        mailer=SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        ),
        webhooks=WebhookSender(
            timeout=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private,
        ),
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
