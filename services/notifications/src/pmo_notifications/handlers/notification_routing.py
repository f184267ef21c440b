"""Turns events into planned deliveries: the people they concern and matching subscriptions.

A use case opens one `Notifier` per project it touches: the silences and subscriptions that may
concern the project are read once (once per transaction: handlers/routing_facts.py), every event
the use case causes (the consumed signal, the alert.* events it announces) is planned against
them, and `flush` records all the deliveries in one statement. A delivery to a subscription that
groups its deliveries (ADR 0017) joins its group instead of going out on its own.

Each recipient reads the event in their language: a subscriber in their subscription's `locale`,
anyone else (the project's manager, the people of an escalation step) and a subscription naming
none in PMO_DEFAULT_LOCALE. An event's e-mail is composed when a recipient first needs it, and
at most once per language however many read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pmo_common.events.envelope import CloudEvent
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.channels.channel import RoutedNotification
from pmo_notifications.channels.email_channel import EMAIL
from pmo_notifications.channels.registry import channel_kind
from pmo_notifications.db.delivery_repository import insert_planned_deliveries
from pmo_notifications.domain.alert_group import GroupedAlert, event_project_name, event_title
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_grouping import GROUPED, grouping_window
from pmo_notifications.domain.delivery_schedule import PENDING, SKIPPED, PlannedDelivery
from pmo_notifications.domain.email_composition import ComposedEmail, EmailDraft
from pmo_notifications.domain.silence_rules import SilenceRecord, covering_silence
from pmo_notifications.domain.subscription_matching import (
    EventFacts,
    SubscriptionRecord,
    subscription_matches,
)
from pmo_notifications.domain.webhook_signature import new_message_id
from pmo_notifications.domain.wording import Wording
from pmo_notifications.handlers.delivery_signal import mark_deliveries_planned
from pmo_notifications.handlers.group_joining import GroupMember, join_groups
from pmo_notifications.handlers.routing_facts import routing_facts
from pmo_notifications.handlers.wordings import MessageLanguages, message_languages

log = logging.getLogger(__name__)
SILENCED = "silenced"


@dataclass(frozen=True, slots=True)
class DirectEmail:
    """An e-mail owed to someone without any subscription (e.g. the project's manager), who
    reads it in the default language."""

    to: str
    email: EmailDraft


@dataclass(frozen=True, slots=True)
class EventToRoute:
    """An event with what routing needs to know about it."""

    event: CloudEvent
    portfolio_id: str | None
    severity: str
    alert_id: str | None
    subscriber_email: EmailDraft


class ComposedOnce:
    """The e-mails of one event, each draft composed at most once per language."""

    def __init__(self) -> None:
        self._composed: dict[tuple[int, str], ComposedEmail] = {}
        # The drafts composed, held so that their ids stay theirs while this lives.
        self._drafts: list[EmailDraft] = []

    def email(self, draft: EmailDraft, wording: Wording) -> ComposedEmail:
        """`draft` in the language of `wording`, composed on the first call only."""
        key = (id(draft), wording.locale)
        if key not in self._composed:
            self._drafts.append(draft)
            self._composed[key] = draft(wording)
        return self._composed[key]


@dataclass
class Notifier:
    """Plans the deliveries of one project's events against silences and subscriptions read once."""

    session: AsyncSession
    project_id: str | None
    now: datetime
    silences: Sequence[SilenceRecord]
    subscriptions: Sequence[SubscriptionRecord]
    languages: MessageLanguages = field(default_factory=MessageLanguages)
    planned: list[PlannedDelivery] = field(default_factory=list)
    grouped: list[GroupMember] = field(default_factory=list)

    @classmethod
    async def for_project(
        cls, session: AsyncSession, *, project_id: str | None, portfolio_ids: Iterable[str | None]
    ) -> Notifier:
        """A notifier for the events of a project, in any of the portfolios named."""
        now = utc_now()
        facts = await routing_facts(session, at=now)
        subscriptions = await facts.subscriptions_in_scope(
            session,
            project_id=project_id,
            portfolio_ids={portfolio for portfolio in portfolio_ids if portfolio is not None},
        )
        languages = message_languages(session)
        return cls(session, project_id, now, facts.silences, subscriptions, languages)

    def route(self, route: EventToRoute, *, direct: Sequence[DirectEmail] = ()) -> None:
        """Plan one event's deliveries: the people owed an e-mail, then matching subscriptions.

        A silence covering the project still records each delivery, as skipped, so the log
        shows who would have been told (a silenced event joins no group). One event reaches one
        recipient once, as its channel compares targets.
        """
        silence = covering_silence(
            self.silences, project_id=self.project_id, portfolio_id=route.portfolio_id, at=self.now
        )
        seen: set[tuple[str, str]] = set()
        event_json = route.event.to_bytes().decode()
        composed = ComposedOnce()

        def plan(
            channel: str, target: str, subscription: SubscriptionRecord | None, draft: EmailDraft
        ) -> None:
            # The channel says who the target is and what the delivery carries over it.
            subscription_id = subscription.id if subscription is not None else None
            try:
                kind = channel_kind(channel)
            except KeyError:
                log.warning(
                    "subscription %s names no registered channel %r", subscription_id, channel
                )
                return
            key = (channel, kind.recipient_key(target))
            if key in seen:
                return
            seen.add(key)
            wording = self.languages.wording(subscription.locale if subscription else None)
            # A grouping subscription's delivery waits in its group, which lists the event.
            joins = (
                subscription is not None and not silence and grouping_window(subscription).groups
            )
            grouping = subscription if joins else None
            if grouping is not None:
                listed = self._grouped_alert(route, lambda: composed.email(draft, wording).subject)
                subject, payload = None, listed.to_json()
                status, error = GROUPED, None
            else:
                message = kind.message_for(
                    RoutedNotification(
                        event_json=event_json,
                        wording=wording,
                        email=lambda: composed.email(draft, wording),
                    )
                )
                subject, payload = message.subject, message.body
                status, error = (SKIPPED, SILENCED) if silence else (PENDING, None)
            delivery = PlannedDelivery(
                event_id=route.event.id,
                event_type=route.event.type,
                alert_id=route.alert_id,
                project_id=self.project_id,
                subscription_id=subscription_id,
                channel=channel,
                target=target,
                subject=subject,
                payload=payload,
                status=status,
                error=error,
            )
            if grouping is not None:
                self.grouped.append(
                    GroupMember(
                        delivery, grouping.id, route.portfolio_id, grouping_window(grouping)
                    )
                )
            else:
                self.planned.append(delivery)

        for owed in direct:
            if owed.to:
                plan(EMAIL, owed.to, None, owed.email)
        facts = EventFacts(
            event_type=route.event.type,
            project_id=self.project_id,
            portfolio_id=route.portfolio_id,
            severity=route.severity,
        )
        for subscription in self.subscriptions:
            if subscription_matches(subscription.rule, facts):
                plan(
                    subscription.channel,
                    subscription.target,
                    subscription,
                    route.subscriber_email,
                )

    def _grouped_alert(self, route: EventToRoute, summary: Callable[[], str]) -> GroupedAlert:
        """The event as its group's delivery lists it (`summary`: the subscriber's subject)."""
        data = route.event.data
        return GroupedAlert(
            event_id=route.event.id,
            type=route.event.type,
            time=route.event.time.isoformat(),
            project_id=self.project_id,
            project_name=event_project_name(data),
            alert_id=route.alert_id,
            severity=route.severity,
            title=event_title(data, summary),
            data=data,
        )

    async def deliver(
        self,
        event: CloudEvent,
        *,
        portfolio_id: str | None,
        severity: str,
        alert_id: str | None,
        email: EmailDraft,
        to: Sequence[str],
    ) -> None:
        """Route one event whose people (`to`) and subscribers read the same e-mail (each in
        their language), and record every delivery planned so far."""
        self.route(
            EventToRoute(event, portfolio_id, severity, alert_id, email),
            direct=[DirectEmail(address, email) for address in to],
        )
        await self.flush()

    async def flush(self) -> list[PlannedDelivery]:
        """Record every planned delivery in the caller's transaction, and the grouped ones in
        their groups; returns what was planned to go out on its own."""
        grouped, self.grouped = self.grouped, []
        await join_groups(self.session, members=grouped, now=self.now)
        planned, self.planned = self.planned, []
        await insert_planned_deliveries(
            self.session,
            planned=planned,
            message_ids=[new_message_id() for _ in planned],
            at=self.now,
        )
        if any(item.status == PENDING for item in planned):
            mark_deliveries_planned(self.session)
        return planned
