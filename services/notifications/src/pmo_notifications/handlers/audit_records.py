"""The audit records of notifications' changes made through the API, each written in the
change's transaction (pmo_common.audit): who changed which subscription, escalation policy,
silence, alert or delivery, from what to what.

A subscription's signing secret never goes into the trail: it is shown once, at creation.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.audit_trail import trail
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.escalation_ladder import EscalationPolicy
from pmo_notifications.domain.silence_rules import SilenceRecord
from pmo_notifications.domain.subscription_matching import SubscriptionRecord

Audited = SubscriptionRecord | EscalationPolicy | SilenceRecord | AlertRecord

_RESOURCE_TYPES: dict[type[Any], str] = {
    SubscriptionRecord: "subscription",
    EscalationPolicy: "escalation_policy",
    SilenceRecord: "silence",
    AlertRecord: "alert",
}
_NEVER_RECORDED = ("secret",)


def _resource_type(record: Audited) -> str:
    for kind, name in _RESOURCE_TYPES.items():
        if isinstance(record, kind):
            return name
    raise TypeError(f"no audit resource type for {type(record).__name__}")


def _state(record: Audited | None) -> dict[str, Any] | None:
    if record is None:
        return None
    state = asdict(record)
    for name in _NEVER_RECORDED:
        state.pop(name, None)
    return state


async def record_change(
    session: AsyncSession, verb: str, *, before: Audited | None, after: Audited | None
) -> None:
    """Record `<resource type>.<verb>` (e.g. subscription.deleted: `after` None) for the record
    changed, with each changed field before and after."""
    record = after if after is not None else before
    if record is None:
        raise ValueError("an audited change needs the record before or after it")
    resource_type = _resource_type(record)
    await trail.record(
        session,
        action=f"{resource_type}.{verb}",
        resource_type=resource_type,
        resource_id=record.id,
        before=_state(before),
        after=_state(after),
    )


async def record_resend(session: AsyncSession, *, delivery_id: str, queued: dict[str, Any]) -> None:
    """Record `delivery.resent`: a given-up delivery queued again (what was queued, as told)."""
    await trail.record(
        session,
        action="delivery.resent",
        resource_type="delivery",
        resource_id=delivery_id,
        after=queued,
    )
