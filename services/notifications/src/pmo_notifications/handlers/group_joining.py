"""An event's deliveries to grouping subscriptions join their groups (ADR 0017).

Routing records each such delivery as `grouped`, due when its group is: with the events already
waiting in the group, else at the group's next send after its interval, else after the
subscription's wait. Joining only inserts rows (and a group's row the first time it is seen):
it locks nothing the group job holds, so a burst of events is never held up by a group going
out, and the group job's compare-and-set decides which events each delivery takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.delivery_group_repository import (
    WaitingDelivery,
    add_groups,
    groups_by_id,
    insert_waiting_deliveries,
    waiting_due_at,
)
from pmo_notifications.domain.delivery_grouping import (
    DeliveryGroup,
    GroupingWindow,
    group_id,
    joining_due_at,
)
from pmo_notifications.domain.delivery_schedule import PlannedDelivery


@dataclass(frozen=True, slots=True)
class GroupMember:
    """An event's delivery to a grouping subscription, in the group of the event's portfolio."""

    planned: PlannedDelivery
    subscription_id: str
    portfolio_id: str | None
    window: GroupingWindow

    @property
    def group_id(self) -> str:
        """The id of the member's group."""
        return group_id(self.subscription_id, self.portfolio_id)


async def join_groups(
    session: AsyncSession, *, members: Sequence[GroupMember], now: datetime
) -> None:
    """Record each member as waiting in its group, in the caller's transaction."""
    if not members:
        return
    ids = {member.group_id for member in members}
    known = await groups_by_id(session, group_ids=ids)
    new = {
        member.group_id: DeliveryGroup(
            id=member.group_id,
            subscription_id=member.subscription_id,
            portfolio_id=member.portfolio_id,
            created_at=now,
        )
        for member in members
        if member.group_id not in known
    }
    await add_groups(session, groups=list(new.values()))
    due = await waiting_due_at(session, group_ids=ids)
    waiting: list[WaitingDelivery] = []
    for member in members:
        group = known.get(member.group_id)
        at = joining_due_at(
            member.window,
            now=now,
            waiting_due_at=due.get(member.group_id),
            next_send_at=group.next_send_at if group is not None else None,
        )
        # The members after the first one of a group in this batch join its window.
        due.setdefault(member.group_id, at)
        waiting.append(WaitingDelivery(member.planned, member.group_id, at))
    await insert_waiting_deliveries(session, waiting=waiting, at=now)
