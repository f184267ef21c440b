"""Portfolio membership events as intake publishes them, for the tests of the services that
scope portfolio managers by membership (standards, monitoring, notifications; ADR 0026)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pmo_common.events.catalog import PORTFOLIO_MEMBER_ADDED, PORTFOLIO_MEMBER_REMOVED
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import PortfolioMembership

MemberRole = Literal["portfolio_manager", "viewer"]


def membership_event(
    *,
    portfolio_id: str,
    email: str,
    role: MemberRole = "portfolio_manager",
    removed: bool = False,
    changed_at: datetime | None = None,
    changed_by: str = "admin@pmo.example",
) -> CloudEvent:
    """An `intake.portfolio.member_added` (or, `removed`, `…member_removed`) event."""
    spec = PORTFOLIO_MEMBER_REMOVED if removed else PORTFOLIO_MEMBER_ADDED
    payload = PortfolioMembership(
        portfolio_id=portfolio_id,
        email=email,
        role=role,
        changed_by=changed_by,
        changed_at=changed_at or datetime.now(UTC),
    )
    return build_event(service="intake", event_type=spec.type, data=payload, subject=portfolio_id)


def add_then_remove_then_replayed_add(
    *, portfolio_id: str, email: str, role: MemberRole = "portfolio_manager"
) -> tuple[CloudEvent, CloudEvent, CloudEvent]:
    """An addition, its removal a minute later, and the same addition again (a redelivery or a
    dead-letter replay arriving after the removal): the member must stay removed."""
    added_at = datetime.now(UTC) - timedelta(minutes=5)
    added = membership_event(portfolio_id=portfolio_id, email=email, role=role, changed_at=added_at)
    removed = membership_event(
        portfolio_id=portfolio_id,
        email=email,
        role=role,
        removed=True,
        changed_at=added_at + timedelta(minutes=1),
    )
    replayed = membership_event(
        portfolio_id=portfolio_id, email=email, role=role, changed_at=added_at
    )
    return added, removed, replayed
