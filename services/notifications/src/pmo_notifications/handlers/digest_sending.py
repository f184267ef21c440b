"""Sending one reader's digest of one period, exactly once across replicas.

The digest is composed, then claimed by inserting its `digests_sent` row, and its e-mail is
planned in the delivery log in the same transaction: a replica whose claim finds the row already
there (another one sent it) writes nothing, and a crash before the commit leaves neither the
claim nor the e-mail, so the next pass sends it. A digest with nothing to report is claimed too
(marked so), so the period is done for the reader and no e-mail goes out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pmo_common.db.unit_of_work import unit_of_work
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.channels.channel import RoutedNotification
from pmo_notifications.channels.email_channel import EMAIL, EmailChannel
from pmo_notifications.db.delivery_repository import insert_planned_deliveries
from pmo_notifications.db.digest_repository import DigestClaim, claim_digest
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import PlannedDelivery
from pmo_notifications.domain.digest_email import compose_digest_email
from pmo_notifications.domain.digest_periods import DigestSchedule, DigestWanted
from pmo_notifications.domain.webhook_signature import new_message_id
from pmo_notifications.handlers.delivery_signal import mark_deliveries_planned
from pmo_notifications.handlers.digest_queries import build_digest
from pmo_notifications.handlers.wordings import message_languages

# The delivery log's event type of a digest's e-mail (a digest is no event: the claim's id
# stands for the event id).
DIGEST_EVENT_TYPE = "digest.{period}"


async def send_digest(
    session: AsyncSession, wanted: DigestWanted, *, now: datetime, schedule: DigestSchedule
) -> bool:
    """Compose, claim and plan the reader's digest of the period in one transaction; True when
    this call planned its e-mail (False: claimed elsewhere, or nothing to report)."""
    async with unit_of_work(session):
        digest = await build_digest(session, wanted, now=now, schedule=schedule)
        claim = DigestClaim(
            id=str(uuid.uuid4()),
            recipient=digest.recipient,
            period=wanted.period,
            period_key=wanted.period_key,
            sent_at=now,
            nothing_to_report=not digest.has_news,
        )
        if not await claim_digest(session, claim=claim) or claim.nothing_to_report:
            return False
        # A digest's reader has no subscription: it is in the default language.
        wording = message_languages(session).wording()
        email = compose_digest_email(wording, digest)
        message = EmailChannel.message_for(
            RoutedNotification(event_json="", wording=wording, email=lambda: email)
        )
        planned = PlannedDelivery(
            event_id=claim.id,
            event_type=DIGEST_EVENT_TYPE.format(period=wanted.period),
            alert_id=None,
            project_id=None,
            subscription_id=None,
            channel=EMAIL,
            target=digest.recipient,
            subject=message.subject,
            payload=message.body,
        )
        # Planned (and due) on the service's clock: `now` is the instant the digest is of.
        await insert_planned_deliveries(
            session, planned=[planned], message_ids=[new_message_id()], at=utc_now()
        )
        mark_deliveries_planned(session)
        return True
