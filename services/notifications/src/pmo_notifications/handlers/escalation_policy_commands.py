"""Escalation policy use cases: create, replace, delete (one policy per portfolio, one default)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, raise_if_invalid
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.channels.email_channel import EmailChannel
from pmo_notifications.db import escalation_policy_repository as policies
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.email_domain_policy import outside_allowed_domains
from pmo_notifications.domain.escalation_ladder import (
    RECIPIENT_KEYWORDS,
    EscalationLevel,
    EscalationPolicy,
)
from pmo_notifications.domain.rule_violation import RuleViolation
from pmo_notifications.handlers.audit_records import record_change
from pmo_notifications.handlers.escalation_policy_queries import get_policy

# The caller's checks on the stored policy, run with its row locked: permission (403 when
# refused) and If-Match (412).
PolicyCheck = Callable[[EscalationPolicy], None]


def new_policy(
    *, name: str, portfolio_id: str | None, levels: Sequence[EscalationLevel], repeat: int
) -> EscalationPolicy:
    """A policy not stored yet."""
    now = utc_now()
    return EscalationPolicy(
        id=str(uuid.uuid4()),
        name=name,
        portfolio_id=portfolio_id,
        levels=tuple(levels),
        repeat=repeat,
        created_at=now,
        updated_at=now,
    )


def ensure_addresses_allowed(policy: EscalationPolicy, allowed: Collection[str]) -> None:
    """422 naming `body.levels.N.notify.M` for each e-mail address outside the allowed domains
    (PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS, which binds everyone but PMO admins, as for
    subscriptions: ADR 0010). Keywords name the project's own people and are not checked."""
    violations = []
    for n, level in enumerate(policy.levels):
        for m, entry in enumerate(level.notify):
            if entry in RECIPIENT_KEYWORDS:
                continue
            refusal = outside_allowed_domains(EmailChannel.email_domain(entry), allowed)
            if refusal is not None:
                violations.append(
                    RuleViolation(
                        f"levels.{n}.notify.{m}",
                        f"escalation e-mails {refusal}; a PMO admin may name other addresses",
                    )
                )
    raise_if_invalid(violations)


async def create_policy(session: AsyncSession, *, policy: EscalationPolicy) -> EscalationPolicy:
    """Store a new policy; 409 when its portfolio (or the default) already has one."""
    async with unit_of_work(session):
        await _ensure_scope_free(session, policy)
        try:
            await policies.insert_policy(session, policy=policy)
        except IntegrityError as exc:  # a concurrent create won the race
            raise _scope_taken(policy.portfolio_id) from exc
        await record_change(session, "created", before=None, after=policy)
    return policy


async def replace_policy(
    session: AsyncSession, *, policy_id: str, content: EscalationPolicy, may_change: PolicyCheck
) -> EscalationPolicy:
    """Replace a policy's content (404 when there is none, `may_change`'s refusal, 409 when it
    moves to a portfolio that has one). Alerts already climbing it follow the new levels from
    their next step."""
    async with unit_of_work(session):
        known = await _policy_to_change(session, policy_id, may_change)
        updated = replace(content, id=known.id, created_at=known.created_at, updated_at=utc_now())
        await _ensure_scope_free(session, updated)
        try:
            await policies.replace_policy(session, policy=updated)
        except IntegrityError as exc:
            raise _scope_taken(updated.portfolio_id) from exc
        await record_change(session, "updated", before=known, after=updated)
    return updated


async def delete_policy(session: AsyncSession, *, policy_id: str, may_change: PolicyCheck) -> None:
    """Delete a policy (404 when there is none, `may_change`'s refusal); alerts climbing it stop
    at their next step."""
    async with unit_of_work(session):
        known = await _policy_to_change(session, policy_id, may_change)
        await policies.delete_policy(session, policy_id=policy_id)
        await record_change(session, "deleted", before=known, after=None)


async def _policy_to_change(
    session: AsyncSession, policy_id: str, may_change: PolicyCheck
) -> EscalationPolicy:
    # Read locked and checked in the transaction that writes: a concurrent PUT turning this
    # policy into (or out of) the default cannot slip between the check and the write.
    known = await get_policy(session, policy_id=policy_id, for_update=True)
    may_change(known)
    return known


async def _ensure_scope_free(session: AsyncSession, policy: EscalationPolicy) -> None:
    holder = await policies.policy_of_scope(session, portfolio_id=policy.portfolio_id)
    if holder is not None and holder.id != policy.id:
        raise _scope_taken(policy.portfolio_id, holder.id)


def _scope_taken(portfolio_id: str | None, holder_id: str | None = None) -> ProblemException:
    whose = "the default policy" if portfolio_id is None else f"portfolio {portfolio_id}"
    hint = f" (policy {holder_id}); change it with PUT instead" if holder_id else ""
    return ProblemException(
        409,
        "Escalation policy already exists",
        f"There is already an escalation policy for {whose}{hint}.",
        errors=[{"field": "portfolio_id", "reason": "already has an escalation policy"}],
    )
