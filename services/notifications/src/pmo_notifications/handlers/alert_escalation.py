"""Escalation of unacknowledged alerts: the ladder an alert starts on, and each step it takes.

A step is taken exactly once across replicas: the alert moves to its next position by a
compare-and-set (`move_on_ladder`) in the same unit of work that writes alert.escalated to the
outbox and plans the e-mails; a replica that loses the race writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import ALERT_ESCALATED
from pmo_common.events.payloads import AlertEscalated
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_ladder_repository import move_on_ladder
from pmo_notifications.db.alert_repository import get_alert
from pmo_notifications.db.escalation_policy_repository import get_policy
from pmo_notifications.db.intervention_owner_repository import get_intervention_owner
from pmo_notifications.db.outbox import outbox
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.domain.alert_emails import EscalationNotice, compose_escalation_email
from pmo_notifications.domain.alert_lifecycle import OPEN, AlertRecord
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.escalation_ladder import (
    EscalationPolicy,
    LadderPosition,
    PeopleOfProject,
    can_climb,
    climb,
    escalation_targets,
    first_escalation_at,
    held_until,
    policy_for_portfolio,
)
from pmo_notifications.domain.silence_rules import covering_silence
from pmo_notifications.handlers.alert_commands import alert_event
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.routing_facts import routing_facts

log = logging.getLogger(__name__)


async def on_escalation_ladder(
    session: AsyncSession, alert: AlertRecord, *, portfolio_id: str | None
) -> AlertRecord:
    """The new alert on its portfolio's policy (else the default one), level 1 due after the
    first level's wait; unchanged when no policy applies. The policies are read once per
    transaction with the routing facts, so a consumer batch reads them once."""
    facts = await routing_facts(session, at=utc_now())
    policy = policy_for_portfolio(facts.escalation_policies, portfolio_id)
    if policy is None:
        return alert
    return replace(
        alert,
        escalation_policy_id=policy.id,
        next_escalation_at=first_escalation_at(policy, opened_at=alert.opened_at),
    )


async def take_escalation_step(
    session: AsyncSession, *, alert_id: str, now: datetime, pmo_emails: Sequence[str]
) -> bool:
    """Take the alert's due escalation step, if it still is due; whether this call took it.

    A silence covering the project holds the step (nobody is told, the level stays) until the
    silence ends; the step is then taken at once. A deleted policy, or one with no step left,
    ends the climb.
    """
    async with unit_of_work(session):
        alert = await get_alert(session, alert_id=alert_id)
        if alert is None or not _due(alert, now):
            return False
        seen = alert.ladder_position
        policy = None
        if alert.escalation_policy_id is not None:
            policy = await get_policy(session, policy_id=alert.escalation_policy_id)
        if policy is None or not can_climb(policy, seen):
            top = replace(seen, next_escalation_at=None)
            await move_on_ladder(session, alert_id=alert.id, seen=seen, to=top)
            return False
        project = await get_project(session, project_id=alert.project_id)
        portfolio_id = project.portfolio_id if project else None
        notifier = await Notifier.for_project(
            session, project_id=alert.project_id, portfolio_ids=[portfolio_id]
        )
        silence = covering_silence(
            notifier.silences, project_id=alert.project_id, portfolio_id=portfolio_id, at=now
        )
        if silence is not None:
            held = replace(seen, next_escalation_at=held_until(silence.ends_at, now=now))
            await move_on_ladder(session, alert_id=alert.id, seen=seen, to=held)
            return False
        reached = climb(policy, seen, at=now)
        if not await move_on_ladder(session, alert_id=alert.id, seen=seen, to=reached):
            return False  # another replica took this step, or someone acknowledged the alert
        owner = await get_intervention_owner(session, project_id=alert.project_id)
        people = PeopleOfProject(
            manager=project.manager if project else None,
            sponsor=project.sponsor if project else None,
            intervention_owner=owner.current_owner if owner else None,
            pmo=pmo_emails,
        )
        await _announce_step(
            notifier, alert, policy, reached, people=people, portfolio_id=portfolio_id, now=now
        )
        return True


def _due(alert: AlertRecord, now: datetime) -> bool:
    due_at = alert.next_escalation_at
    return alert.status == OPEN and due_at is not None and due_at <= now


async def _announce_step(
    notifier: Notifier,
    alert: AlertRecord,
    policy: EscalationPolicy,
    reached: LadderPosition,
    *,
    people: PeopleOfProject,
    portfolio_id: str | None,
    now: datetime,
) -> None:
    """Write alert.escalated and plan it: an e-mail to each of the level's people, and the
    subscribers of alert.escalated as for every alert.* event."""
    targets = escalation_targets(policy.levels[reached.level - 1].notify, people)
    event = await outbox.enqueue(
        notifier.session,
        ALERT_ESCALATED,
        AlertEscalated(
            **alert_event(alert).model_dump(),
            level=reached.level,
            notified=list(targets),
            next_escalation_at=reached.next_escalation_at,
        ),
        subject=alert.project_id,
    )
    email = partial(
        compose_escalation_email,
        notice=EscalationNotice(
            project_name=alert.project_name,
            title=alert.title,
            alert_id=alert.id,
            reasons=alert.reasons,
            unacknowledged_for=now - alert.opened_at,
            level=reached.level,
            levels=len(policy.levels),
            policy_name=policy.name,
            manager=people.manager,
            round=reached.repeats_done,
        ),
    )
    await notifier.deliver(
        event,
        portfolio_id=portfolio_id,
        severity=alert.severity,
        alert_id=alert.id,
        email=email,
        to=targets,
    )
    log.info(
        "alert %s escalated to level %d, %d people told",
        alert.id,
        reached.level,
        len(targets),
        extra={"event_id": event.id},
    )
