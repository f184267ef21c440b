"""The delivery job: claims due attempts, sends them, records outcomes and schedules retries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal, cast

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import NOTIFICATION_DELIVERED, NOTIFICATION_FAILED
from pmo_common.events.payloads import DeliveryEvent
from pmo_common.messaging.waiting import sleep_or_stop, wait_any
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.channel import Channel
from pmo_notifications.channels.registry import open_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    claim_due_deliveries,
    finish_attempt,
    insert_next_attempt,
    make_due,
    message_attempts,
    release_claims,
    waiting_targets,
)
from pmo_notifications.db.outbox import outbox
from pmo_notifications.db.subscription_repository import get_subscription
from pmo_notifications.domain.circuit_breaker import CircuitBreakers
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
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.handlers.delivery_signal import delivery_signal
from pmo_notifications.handlers.send_gate import SendGate, Ticket

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 20
# Claims per pass while attempts are handed back (a busy or dead receiver's queue is skipped).
MAX_CLAIM_ROUNDS = 10
_JITTER = random.SystemRandom()
SUBSCRIPTION_GONE = "the subscription was deleted"
# Statuses that end a message: the next one of its project to the same target may go.
_MESSAGE_ENDED = (DELIVERED, FAILED, SKIPPED)


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
        self._gate = SendGate(
            channels=channels,
            per_receiver_cap=settings.webhook_max_concurrency_per_host,
            circuits=CircuitBreakers(
                failure_threshold=settings.circuit_failure_threshold,
                open_seconds=settings.circuit_open_seconds,
            ),
        )
        # Longer than any send's deadline (the settings check it): a claim never runs out while
        # its message is still being sent, so it is never sent twice.
        self._lease = timedelta(seconds=settings.delivery_claim_lease_seconds)

    async def start_due(self) -> int:
        """Claim due attempts and start sending them; returns how many were started.

        Sends run side by side (at most MAX_IN_FLIGHT, and at most
        `webhook_max_concurrency_per_host` to one receiver), so a slow webhook does not hold up
        the e-mails and other receivers' webhooks claimed after it. An attempt whose receiver is
        at its cap, or whose target's circuit is open, is handed back unattempted until it may
        go, and the next due ones are claimed instead.
        """
        started = 0
        for _ in range(MAX_CLAIM_ROUNDS):
            capacity = MAX_IN_FLIGHT - len(self._in_flight)
            if capacity <= 0:
                break
            token = str(uuid.uuid4())
            now = utc_now()
            async with self._sessions() as session, unit_of_work(session):
                claimed = await claim_due_deliveries(
                    session, now=now, lease_until=now + self._lease, token=token, limit=capacity
                )
            # One clock reading per round: the deliveries a circuit holds share one wait.
            moment = time.monotonic()
            waiting: defaultdict[float, list[str]] = defaultdict(list)
            for delivery in claimed:
                decision = self._gate.decide(delivery, now=moment)
                if decision.ticket is None:
                    waiting[decision.wait_seconds].append(delivery.id)
                    continue
                task = asyncio.create_task(self._attempt(delivery, token, decision.ticket))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                started += 1
            if waiting:
                await self._hand_back(waiting, token=token, now=now)
            if len(claimed) < capacity or not waiting:
                break
        return started

    async def _hand_back(
        self, waiting: Mapping[float, list[str]], *, token: str, now: datetime
    ) -> None:
        """Release claims this replica will not send now, each until it may go."""
        async with self._sessions() as session, unit_of_work(session):
            for wait_seconds, delivery_ids in waiting.items():
                await release_claims(
                    session,
                    delivery_ids=delivery_ids,
                    token=token,
                    until=now + timedelta(seconds=wait_seconds),
                )
        for wait_seconds in waiting:
            delivery_signal.notify_later(wait_seconds)

    async def drain(self) -> None:
        """Wait for every send in flight to finish and be recorded."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _attempt(self, delivery: DeliveryRecord, token: str, ticket: Ticket) -> None:
        try:
            outcome, skipped = await self._send(delivery)
        except Exception as exc:
            log.exception("delivery %s failed unexpectedly", delivery.id)
            outcome, skipped = SendOutcome.failure(f"{type(exc).__name__}: {exc}"), False
        except BaseException:
            # A send cut short (shutdown) says nothing of its target but frees its slot.
            self._gate.finish(ticket, target_up=None, now=time.monotonic())
            raise
        target_up = None if skipped else outcome.target_up
        target_back = self._gate.finish(ticket, target_up=target_up, now=time.monotonic())
        try:
            await self._record(delivery, token, outcome, skipped=skipped)
        except Exception:
            # The lease runs out and another pass retries the row: at least once, never lost.
            log.exception("could not record the outcome of delivery %s", delivery.id)
        if target_back:
            try:
                await self._send_what_waits_for(delivery.channel, ticket)
            except Exception:
                log.exception("could not bring forward what waited for %s", ticket.circuit)

    async def _send_what_waits_for(self, channel_name: str, ticket: Ticket) -> None:
        """The target's circuit closed: its waiting attempts (retries scheduled while it was
        down, deliveries held while the circuit was open) are due now, in order per project."""
        channel = self._channels[channel_name]
        now = utc_now()
        async with self._sessions() as session, unit_of_work(session):
            waiting = await waiting_targets(session, channel=channel_name, now=now)
            due = [id_ for id_, target in waiting if channel.circuit_key(target) == ticket.circuit]
            await make_due(session, delivery_ids=due, now=now)
        if due:
            log.info("%s is back: %d waiting deliveries are due now", ticket.circuit, len(due))
            delivery_signal.notify()

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
        retry_in: float | None = None
        async with self._sessions() as session, unit_of_work(session):
            now = utc_now()
            if not (outcome.delivered or skipped) and outcome.retryable:
                retry_in = await self._retry_in(session, delivery, now)
            status = outcome_status(
                delivered=outcome.delivered,
                skipped=skipped,
                retryable=outcome.retryable,
                retry_in=retry_in,
            )
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
            if status == RETRYING and retry_in is not None:
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
        if status == RETRYING and retry_in is not None:
            # The retry is committed: wake the job when it falls due rather than at the next poll.
            delivery_signal.notify_later(retry_in)
        elif status in _MESSAGE_ENDED:
            # The next message of the project to this target no longer waits behind this one.
            delivery_signal.notify()

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


async def run_delivery_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set: woken on every commit that plans deliveries and whenever a
    retry falls due, else polling."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the delivery job needs NotificationsSettings")
    # The channels live as long as the job: the webhook channel's connection pool is opened
    # once per process and closed at shutdown, after the sends in flight have finished.
    async with open_channels(settings) as channels:
        dispatcher = DeliveryDispatcher(
            sessions=runtime.sessions, settings=settings, channels=channels
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
