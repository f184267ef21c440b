"""Subscription use cases: vet the target and event types, store, retire."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from pmo_common.events.catalog import EVENT_CATALOG
from pmo_common.problems import ProblemException, field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.channels.address_resolution import vet_webhook_url
from pmo_notifications.db.subscription_repository import SubscriptionRecord, insert_subscription
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain.address_policy import TargetRefused, parse_webhook_url
from pmo_notifications.domain.subscription_matching import event_type_violations
from pmo_notifications.domain.webhook_signature import new_webhook_secret


def checked_event_types(requested: Sequence[str]) -> list[str]:
    """The requested event types without repeats; 422 naming each one that cannot be routed."""
    violations = event_type_violations(requested, EVENT_CATALOG.keys())
    if violations:
        raise ProblemException(
            422,
            "Invalid request",
            "; ".join(f"{v.field}: {v.reason}" for v in violations),
            errors=[{"field": v.field, "reason": v.reason} for v in violations],
        )
    return list(dict.fromkeys(requested))


async def checked_target(channel: str, target: str, *, allow_private: bool) -> str:
    """The target in canonical form; 422 naming `target` when it is not acceptable."""
    target = target.strip()
    if channel == "email":
        try:
            return validate_email(target, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise field_problem("target", f"not a valid e-mail address: {exc}") from exc
    try:
        if allow_private:
            parse_webhook_url(target)
        else:
            await vet_webhook_url(target, allow_private=False)
    except TargetRefused as exc:
        raise field_problem("target", exc.reason) from exc
    return target


async def create_subscription(
    session: AsyncSession,
    *,
    owner: str,
    owner_email: str | None,
    channel: str,
    target: str,
    event_types: list[str],
    project_id: str | None,
    portfolio_id: str | None,
    min_severity: str,
) -> SubscriptionRecord:
    """Store a subscription; a webhook one gets a fresh signing secret."""
    subscription = SubscriptionRecord(
        id=str(uuid.uuid4()),
        owner=owner,
        owner_email=owner_email,
        channel=channel,
        target=target,
        event_types=tuple(event_types),
        project_id=project_id,
        portfolio_id=portfolio_id,
        min_severity=min_severity,
        secret=new_webhook_secret() if channel == "webhook" else None,
        created_at=utc_now(),
    )
    await insert_subscription(session, subscription=subscription)
    return subscription
