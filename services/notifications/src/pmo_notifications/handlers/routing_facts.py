"""What routing reads, read once per transaction: the silences, the live subscriptions, and the
escalation policies a newly opened alert starts climbing.

The consumer applies a poll batch of events in one transaction (libs/common's EventApplier), and
every event of it is routed against the same silences and subscriptions: reading them once for
the transaction rather than once per event takes two statements off each event after the first.
The transaction sees them as they were when it first routed something, as if the batch had been
applied at that instant. A subscription table too large to hold (more than
MAX_HELD_SUBSCRIPTIONS live rows) is still queried for each project's scope.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.escalation_policy_repository import all_policies
from pmo_notifications.db.silence_repository import unended_silences
from pmo_notifications.db.subscription_repository import (
    live_subscriptions,
    subscriptions_in_scope,
)
from pmo_notifications.domain.escalation_ladder import EscalationPolicy
from pmo_notifications.domain.silence_rules import SilenceRecord
from pmo_notifications.domain.subscription_matching import SubscriptionRecord, in_scope

# Live subscriptions held for a transaction at most; beyond, each scope is queried instead.
MAX_HELD_SUBSCRIPTIONS = 500
_HELD = "pmo_routing_facts"


@dataclass(frozen=True, slots=True)
class RoutingFacts:
    """The silences not over when read (a router checks which hold at its instant), every
    live subscription (None when there are too many to hold), and every escalation policy."""

    silences: Sequence[SilenceRecord]
    subscriptions: Sequence[SubscriptionRecord] | None
    escalation_policies: Sequence[EscalationPolicy]

    async def subscriptions_in_scope(
        self, session: AsyncSession, *, project_id: str | None, portfolio_ids: Collection[str]
    ) -> list[SubscriptionRecord]:
        """The live subscriptions that may concern this project, in these portfolios."""
        if self.subscriptions is None:
            return await subscriptions_in_scope(
                session, project_id=project_id, portfolio_ids=portfolio_ids
            )
        return [
            subscription
            for subscription in self.subscriptions
            if in_scope(subscription, project_id=project_id, portfolio_ids=portfolio_ids)
        ]


async def routing_facts(session: AsyncSession, *, at: datetime) -> RoutingFacts:
    """The routing facts of the session's transaction, read now if it has none yet."""
    sync = session.sync_session
    transaction = sync.get_transaction()
    held = sync.info.get(_HELD)
    # The transaction object itself is kept and compared: one that ended is never matched
    # again, so what a committed batch read cannot leak into the next one.
    if held is not None and transaction is not None and held[0] is transaction:
        facts: RoutingFacts = held[1]
        return facts
    silences = await unended_silences(session, at=at)
    subscriptions = await live_subscriptions(session, limit=MAX_HELD_SUBSCRIPTIONS + 1)
    facts = RoutingFacts(
        silences=silences,
        subscriptions=subscriptions if len(subscriptions) <= MAX_HELD_SUBSCRIPTIONS else None,
        escalation_policies=await all_policies(session),
    )
    if transaction is not None:
        sync.info[_HELD] = (transaction, facts)
    return facts
