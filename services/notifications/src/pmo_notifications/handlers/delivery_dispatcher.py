"""The delivery job: claims due attempts, sends them, records outcomes and schedules retries."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.messaging.waiting import sleep_or_stop, wait_any
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.channel import Channel
from pmo_notifications.channels.registry import open_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    claim_due_deliveries,
    make_due,
    release_claims,
    waiting_targets,
)
from pmo_notifications.db.subscription_repository import live_secrets
from pmo_notifications.domain.circuit_breaker import CircuitBreakers
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DeliveryRecord
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.handlers.delivery_outcomes import OutcomeRecorder, SentAttempt
from pmo_notifications.handlers.delivery_signal import delivery_signal
from pmo_notifications.handlers.held_claims import Claim, HeldClaims
from pmo_notifications.handlers.send_gate import SendGate, Ticket

log = logging.getLogger(__name__)
# Sends at once per replica (the SMTP channel's thread pool is as large).
MAX_IN_FLIGHT = 20
# Claimed attempts not yet recorded (sending, waiting for a slot, or being recorded) at most:
# claiming stops while the outcomes of this many wait to be written, so a slow database holds
# back new sends rather than letting unrecorded claims pile up towards their leases' end.
MAX_UNRECORDED = 100
# Claims per pass while attempts are handed back (a busy or dead receiver's queue is skipped).
MAX_CLAIM_ROUNDS = 10
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
        # Tasks from the start of a send until its outcome is recorded; `_sending` of them are
        # still sending.
        self._in_flight: set[asyncio.Task[None]] = set()
        self._sending = 0
        self._outcomes = OutcomeRecorder(sessions=sessions, settings=settings)
        cap = settings.webhook_max_concurrency_per_host
        self._gate = SendGate(
            channels=channels,
            per_receiver_cap=cap,
            circuits=CircuitBreakers(
                failure_threshold=settings.circuit_failure_threshold,
                open_seconds=settings.circuit_open_seconds,
            ),
        )
        self._held = HeldClaims(depth=cap)
        self._draining = False
        # Longer than any send's deadline (the settings check it): a claim never runs out while
        # its message is still being sent, so it is never sent twice.
        self._lease = timedelta(seconds=settings.delivery_claim_lease_seconds)
        # A held claim starts only while its lease outlasts a whole send by a second.
        deadline = max(settings.webhook_timeout_seconds, settings.smtp_timeout_seconds)
        self._hold_limit = self._lease.total_seconds() - deadline - 1.0

    async def start_due(self) -> int:
        """Claim due attempts and start sending them; returns how many were started.

        Sends run side by side (at most MAX_IN_FLIGHT, and at most
        `webhook_max_concurrency_per_host` to one receiver), so a slow webhook does not hold up
        the e-mails and other receivers' webhooks claimed after it. An attempt whose receiver is
        at its cap waits here for one of its sends to end (handlers/held_claims.py) while the
        receiver's queue has room; beyond, or when its target's circuit is open, it is handed
        back unattempted until it may go, and the next due ones are claimed instead.
        """
        started = 0
        for _ in range(MAX_CLAIM_ROUNDS):
            capacity = min(
                MAX_IN_FLIGHT - self._sending,
                MAX_UNRECORDED - len(self._in_flight) - len(self._held),
            )
            if capacity <= 0:
                break
            claims = await self._claim(capacity)
            # One clock reading per round: the deliveries a circuit holds share one wait.
            moment = time.monotonic()
            waiting: defaultdict[float, list[Claim]] = defaultdict(list)
            for claim in claims:
                decision = self._gate.decide(claim.delivery, now=moment)
                if decision.ticket is not None:
                    self._start(claim, decision.ticket)
                    started += 1
                elif not self._held_for(decision.busy_receiver, claim):
                    waiting[decision.wait_seconds].append(claim)
            if waiting:
                await self._hand_back(waiting)
            if len(claims) < capacity or not waiting:
                break
        return started

    async def drain(self) -> None:
        """Hand back what waits for a slot; wait for every send in flight to finish and be
        recorded."""
        self._draining = True
        held = self._held.take_all()
        if held:
            try:
                await self._hand_back({0.0: held})
            except Exception:
                # Their leases run out instead, and another replica takes them then.
                log.exception("could not hand back %d claims waiting for a slot", len(held))
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._outcomes.drain()

    async def _claim(self, limit: int) -> list[Claim]:
        token = str(uuid.uuid4())
        claimed_at = time.monotonic()
        now = utc_now()
        async with self._sessions() as session, unit_of_work(session):
            claimed = await claim_due_deliveries(
                session, now=now, lease_until=now + self._lease, token=token, limit=limit
            )
            # Read with the claim, not per send: a subscription deleted before its message is
            # claimed has no secret left, and the message is skipped.
            secrets = await live_secrets(
                session, subscription_ids=self._signing_subscriptions(claimed)
            )
        return [
            Claim(delivery, token, secrets.get(delivery.subscription_id or ""), claimed_at)
            for delivery in claimed
        ]

    def _signing_subscriptions(self, claimed: list[DeliveryRecord]) -> list[str]:
        """The subscriptions whose secrets sign the claimed messages."""
        return [
            delivery.subscription_id
            for delivery in claimed
            if delivery.subscription_id is not None
            and (channel := self._channels.get(delivery.channel)) is not None
            and channel.signs_messages
        ]

    def _held_for(self, receiver: str | None, claim: Claim) -> bool:
        """Whether `claim` waits here for a send to `receiver` to end (its receiver is busy)."""
        return receiver is not None and not self._draining and self._held.hold(receiver, claim)

    def _start(self, claim: Claim, ticket: Ticket) -> None:
        self._sending += 1
        task = asyncio.create_task(self._attempt(claim, ticket))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _start_held(self, receiver: str) -> None:
        """A send to `receiver` ended: start the claim that waited longest for it.

        A claim that can no longer go (its target's circuit opened, or it waited so long that
        its lease might run out mid-send) is handed back, and the next one tried.
        """
        refused: defaultdict[float, list[Claim]] = defaultdict(list)
        while not self._draining and (claim := self._held.next_for(receiver)) is not None:
            moment = time.monotonic()
            if moment - claim.claimed_at > self._hold_limit:
                refused[0.0].append(claim)
                continue
            decision = self._gate.decide(claim.delivery, now=moment)
            if decision.ticket is not None:
                self._start(claim, decision.ticket)
                break
            refused[decision.wait_seconds].append(claim)
        if refused:
            await self._hand_back(refused)

    async def _hand_back(self, waiting: Mapping[float, list[Claim]]) -> None:
        """Release claims this replica will not send now, each until it may go."""
        now = utc_now()
        async with self._sessions() as session, unit_of_work(session):
            for wait_seconds, claims in waiting.items():
                by_token: defaultdict[str, list[str]] = defaultdict(list)
                for claim in claims:
                    by_token[claim.token].append(claim.delivery.id)
                for token, delivery_ids in by_token.items():
                    await release_claims(
                        session,
                        delivery_ids=delivery_ids,
                        token=token,
                        until=now + timedelta(seconds=wait_seconds),
                    )
        for wait_seconds in waiting:
            delivery_signal.notify_later(wait_seconds)

    async def _attempt(self, claim: Claim, ticket: Ticket) -> None:
        delivery = claim.delivery
        try:
            outcome, skipped = await self._send(delivery, claim.secret)
        except Exception as exc:
            log.exception("delivery %s failed unexpectedly", delivery.id)
            outcome, skipped = SendOutcome.failure(f"{type(exc).__name__}: {exc}"), False
        except BaseException:
            # A send cut short (shutdown) says nothing of its target but frees its slot.
            self._sending -= 1
            self._gate.finish(ticket, target_up=None, now=time.monotonic())
            raise
        self._sending -= 1
        target_up = None if skipped else outcome.target_up
        target_back = self._gate.finish(ticket, target_up=target_up, now=time.monotonic())
        if ticket.receiver is not None:
            try:
                await self._start_held(ticket.receiver)
            except Exception:
                log.exception("could not start what waited for %s", ticket.receiver)
        try:
            await self._outcomes.record(SentAttempt(delivery, claim.token, outcome, skipped))
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

    async def _send(self, delivery: DeliveryRecord, secret: str | None) -> tuple[SendOutcome, bool]:
        channel = self._channels[delivery.channel]
        if channel.signs_messages and secret is None:
            return SendOutcome.failure(SUBSCRIPTION_GONE, retryable=False), True
        message = OutgoingMessage(
            target=delivery.target,
            subject=delivery.subject,
            body=delivery.payload,
            message_id=delivery.message_id,
            secret=secret,
        )
        return await channel.send(message), False


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
