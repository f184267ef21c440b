"""Subscription use cases: vet the target and event types, store, retire."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import EVENT_CATALOG
from pmo_common.problems import field_problem, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.channels.registry import channel_named
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db import subscription_repository
from pmo_notifications.domain.address_policy import TargetRefused
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_grouping import (
    GroupableSubscription,
    GroupingWindow,
    grouping_violations,
)
from pmo_notifications.domain.email_domain_policy import outside_allowed_domains
from pmo_notifications.domain.subscription_matching import event_type_violations
from pmo_notifications.domain.webhook_signature import new_webhook_secret
from pmo_notifications.handlers.audit_records import record_change

# The caller's precondition (If-Match) on the subscription as it is now, read locked; None when
# it was deleted meanwhile.
SubscriptionCheck = Callable[[GroupableSubscription | None], None]


@dataclass(frozen=True, slots=True)
class VettedSubscription:
    """A subscription request whose event types and target passed every check."""

    channel: str
    target: str
    event_types: tuple[str, ...]
    signed: bool
    window: GroupingWindow


async def vet_subscription(
    settings: NotificationsSettings,
    *,
    channel: str,
    target: str,
    event_types: Sequence[str],
    limit_email_domains: bool,
    window: GroupingWindow,
) -> VettedSubscription:
    """The event types without repeats and the target in canonical form; 422 naming each
    event type that cannot be routed, a grouping wait out of bounds (or an interval without a
    wait), or `target` when its channel refuses it or (with `limit_email_domains`) its e-mail
    domain is outside PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS."""
    # Notifications has always named these fields without the `body.` prefix.
    raise_if_invalid(
        [
            *event_type_violations(event_types, EVENT_CATALOG.keys()),
            *grouping_violations(window),
        ],
        location=None,
    )
    over = channel_named(channel, settings)
    try:
        canonical = await over.checked_target(target.strip())
    except TargetRefused as exc:
        raise field_problem("target", exc.reason) from exc
    if limit_email_domains:
        _ensure_email_domain_allowed(over.email_domain(canonical), settings.allowed_email_domains)
    return VettedSubscription(
        channel=channel,
        target=canonical,
        event_types=tuple(dict.fromkeys(event_types)),
        signed=over.signs_messages,
        window=window,
    )


def _ensure_email_domain_allowed(domain: str | None, allowed: tuple[str, ...]) -> None:
    # 422 like every other refused target: the request is the caller's to correct (another
    # address), and the field at fault is named; who the caller is only picks the policy.
    refusal = outside_allowed_domains(domain, allowed)
    if refusal is not None:
        raise field_problem(
            "target",
            f"e-mail subscriptions {refusal}; a PMO admin may subscribe other addresses",
        )


async def create_subscription(
    session: AsyncSession,
    *,
    vetted: VettedSubscription,
    owner: str,
    owner_email: str | None,
    project_id: str | None,
    portfolio_id: str | None,
    min_severity: str,
    locale: str | None = None,
) -> GroupableSubscription:
    """Store a subscription; one on a signing channel gets a fresh signing secret. Without a
    `locale`, its messages follow PMO_DEFAULT_LOCALE."""
    subscription = GroupableSubscription(
        id=str(uuid.uuid4()),
        owner=owner,
        owner_email=owner_email,
        channel=vetted.channel,
        target=vetted.target,
        event_types=vetted.event_types,
        project_id=project_id,
        portfolio_id=portfolio_id,
        min_severity=min_severity,
        secret=new_webhook_secret() if vetted.signed else None,
        created_at=utc_now(),
        group_wait_seconds=vetted.window.wait_seconds,
        group_interval_seconds=vetted.window.interval_seconds,
        locale=locale,
    )
    async with unit_of_work(session):
        await subscription_repository.insert_subscription(session, subscription=subscription)
        await record_change(session, "created", before=None, after=subscription)
    return subscription


async def delete_subscription(
    session: AsyncSession, *, subscription_id: str, check: SubscriptionCheck
) -> None:
    """Retire a subscription: it receives nothing more. `check` runs on it read locked, so two
    deletions holding the same ETag take turns and the second sees the first one's (412 with
    If-Match); one deleted meanwhile without If-Match stays as it was."""
    async with unit_of_work(session):
        current = await subscription_repository.get_subscription(
            session, subscription_id=subscription_id, include_deleted=True, for_update=True
        )
        live = current if current is not None and current.deleted_at is None else None
        check(live)
        if live is None:
            return
        await subscription_repository.delete_subscription(
            session, subscription_id=subscription_id, at=utc_now()
        )
        await record_change(session, "deleted", before=live, after=None)
