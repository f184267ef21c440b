"""Use cases on the delivery log: re-sending one delivery that was given up, or many at once."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.delivery_repository import (
    get_delivery,
    insert_next_attempt,
    insert_next_attempts,
    message_attempts,
)
from pmo_notifications.db.delivery_resends import latest_attempt_numbers, lock_latest_attempts
from pmo_notifications.domain.bulk_resend import (
    MAX_RESENT_PER_REQUEST,
    ResendSelection,
    resend_violations,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import FAILED, DeliveryRecord
from pmo_notifications.handlers.audit_records import record_resend
from pmo_notifications.handlers.delivery_signal import mark_deliveries_planned
from pmo_notifications.handlers.problems import found


async def retry_delivery(session: AsyncSession, *, delivery_id: str) -> DeliveryRecord:
    """Queue a failed delivery's message again, due now, with the same message id (receivers
    de-duplicate on it) and a fresh retry schedule; 404 unknown, 409 unless it is the message's
    latest attempt and failed."""
    async with unit_of_work(session):
        delivery = found(
            await get_delivery(session, delivery_id=delivery_id, lock=True), "delivery", delivery_id
        )
        if delivery.status != FAILED:
            raise ProblemException(
                409,
                "Delivery not failed",
                f"Delivery {delivery.id} is {delivery.status}: only a failed delivery is re-sent.",
            )
        attempts = await message_attempts(session, message_id=delivery.message_id)
        if attempts and attempts[-1].id != delivery.id:
            raise ProblemException(
                409,
                "Delivery already re-sent",
                f"Delivery {delivery.id} was followed by attempt {attempts[-1].attempt} "
                f"({attempts[-1].id}, {attempts[-1].status}).",
            )
        now = utc_now()
        queued_id = await insert_next_attempt(
            session, previous=delivery, next_attempt_at=now, at=now
        )
        queued = await get_delivery(session, delivery_id=queued_id)
        assert queued is not None
        await _record_resends(session, [(delivery, queued)])
        mark_deliveries_planned(session)
        return queued


async def resend_deliveries(session: AsyncSession, *, selection: ResendSelection) -> int:
    """Queue every selected message that was given up again, due now, with its message id and a
    fresh retry schedule; returns how many (at most MAX_RESENT_PER_REQUEST). 422 naming the
    field a rule refuses. A message re-sent already (by an earlier or a concurrent request) is
    not queued twice: its failed attempt is no longer its latest."""
    raise_if_invalid(resend_violations(selection))
    async with unit_of_work(session):
        candidates = await lock_latest_attempts(
            session, selection=selection, limit=MAX_RESENT_PER_REQUEST
        )
        latest = await latest_attempt_numbers(
            session, message_ids=[attempt.message_id for attempt in candidates]
        )
        given_up = [one for one in candidates if latest[one.message_id] == one.attempt]
        now = utc_now()
        queued = await insert_next_attempts(session, previous=given_up, next_attempt_at=now, at=now)
        await _record_resends(session, list(zip(given_up, queued, strict=True)))
        if given_up:
            mark_deliveries_planned(session)
        return len(given_up)


async def _record_resends(
    session: AsyncSession, resent: list[tuple[DeliveryRecord, DeliveryRecord]]
) -> None:
    """One audit record per failed delivery queued again, naming the attempt that follows it."""
    for failed, queued in resent:
        await record_resend(
            session,
            delivery_id=failed.id,
            queued={
                "message_id": queued.message_id,
                "subscription_id": queued.subscription_id,
                "channel": queued.channel,
                "next_attempt_id": queued.id,
                "next_attempt": queued.attempt,
            },
        )
