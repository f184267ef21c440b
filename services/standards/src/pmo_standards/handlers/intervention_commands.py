"""Intervention use cases: take ownership, file the exception report, decide, recovery actions.

The route loads (and locks) the case and checks who may act before calling these; each opens
the unit of work its reads already began, refuses a closed case (409) and publishes its event.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import (
    ACTION_ADDED,
    EXCEPTION_DECIDED,
    EXCEPTION_REPORTED,
    INTERVENTION_ASSIGNED,
)
from pmo_common.events.catalog import ACTION_DONE as ACTION_DONE_EVENT  # not the status
from pmo_common.events.payloads import ExceptionOption as OptionPayload
from pmo_common.problems import ProblemException, not_found, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.action_repository import get_action, insert_action, mark_action_done
from pmo_standards.domain.interventions import (
    ACTION_DONE,
    MAX_ACTIONS_PER_CASE,
    BoardDecision,
    ExceptionReport,
    Intervention,
    RecoveryAction,
    decision_issues,
    exception_report_issues,
)
from pmo_standards.handlers.audit_records import record_change
from pmo_standards.handlers.intervention_closing import (
    close_if_recovered_and_done,
    close_intervention,
)
from pmo_standards.handlers.intervention_publishing import (
    action_facts,
    announce,
    save_and_announce,
)


def _refuse_if_closed(intervention: Intervention) -> None:
    if not intervention.is_open:
        raise ProblemException(
            409,
            "Intervention closed",
            f"Intervention {intervention.id} is closed ({intervention.close_reason}); "
            "it can no longer change.",
        )


async def assign_owner(
    session: AsyncSession, *, intervention: Intervention, owner: str, assigned_by: str
) -> Intervention:
    """Make a PMO consultant the owner of the case and publish intervention.assigned."""
    async with unit_of_work(session):
        _refuse_if_closed(intervention)
        assigned = await save_and_announce(
            session,
            INTERVENTION_ASSIGNED,
            replace(intervention, owner=owner),
            assigned_by=assigned_by,
            assigned_at=datetime.now(UTC),
        )
        await record_change(session, "assigned", before=intervention, after=assigned)
    return assigned


async def file_exception_report(
    session: AsyncSession, *, intervention: Intervention, report: ExceptionReport
) -> Intervention:
    """Attach the manager's exception report (one per case) and publish it; 422 naming the
    field when the options or the recommendation break the rules."""
    async with unit_of_work(session):
        _refuse_if_closed(intervention)
        if intervention.exception_report is not None:
            raise ProblemException(
                409,
                "Exception report already filed",
                f"Intervention {intervention.id} already has its exception report; the board "
                "decides on that one.",
            )
        raise_if_invalid(exception_report_issues(report.option_keys, report.recommendation))
        reported = await save_and_announce(
            session,
            EXCEPTION_REPORTED,
            replace(intervention, exception_report=report),
            title=report.title,
            options=[OptionPayload.model_validate(o, from_attributes=True) for o in report.options],
            recommendation=report.recommendation,
            reported_by=report.reported_by,
            reported_at=report.reported_at,
        )
        await record_change(session, "exception_reported", before=intervention, after=reported)
    return reported


async def decide(
    session: AsyncSession, *, intervention: Intervention, decision: BoardDecision
) -> Intervention:
    """Record the board's decision on the exception report; premature_close closes the case."""
    async with unit_of_work(session):
        _refuse_if_closed(intervention)
        report = intervention.exception_report
        if report is None:
            raise ProblemException(
                409,
                "No exception report yet",
                f"Intervention {intervention.id} has no exception report: the project's "
                "manager files one before the board decides.",
            )
        raise_if_invalid(decision_issues(decision.outcome, decision.option, report))
        decided = await save_and_announce(
            session,
            EXCEPTION_DECIDED,
            replace(intervention, decision=decision),
            **asdict(decision),
        )
        await record_change(session, "decided", before=intervention, after=decided)
        if decision.outcome == "premature_close":
            decided = await close_intervention(
                session,
                intervention=decided,
                reason="premature_close",
                closed_by=decision.decided_by,
                now=decision.decided_at,
            )
    return decided


async def add_action(
    session: AsyncSession, *, intervention: Intervention, action: RecoveryAction
) -> RecoveryAction:
    """Add a recovery action to the case and publish intervention.action_added; one due in the
    past is accepted (and overdue at once).
    A case holds at most MAX_ACTIONS_PER_CASE actions (409 beyond): the route locked the case,
    so two adds cannot both pass the count."""
    async with unit_of_work(session):
        _refuse_if_closed(intervention)
        if len(intervention.actions) >= MAX_ACTIONS_PER_CASE:
            raise ProblemException(
                409,
                "Too many recovery actions",
                f"Intervention {intervention.id} already has {MAX_ACTIONS_PER_CASE} actions, "
                "the most a case may hold; mark some done or re-plan within them.",
            )
        await insert_action(session, action=action)
        await announce(session, ACTION_ADDED, intervention, **action_facts(action))
        await record_change(session, "added", after=action)
    return action


async def complete_action(
    session: AsyncSession, *, intervention: Intervention, action_id: str, actor: str
) -> RecoveryAction:
    """Mark an action done and publish intervention.action_done (again: no change, no event);
    the last one done closes a recovered case."""
    async with unit_of_work(session):
        _refuse_if_closed(intervention)
        action = await get_action(session, intervention_id=intervention.id, action_id=action_id)
        if action is None:
            raise not_found("action", action_id)
        if action.done:
            return action
        now = datetime.now(UTC)
        await mark_action_done(session, action_id=action.id, done_at=now)
        await announce(session, ACTION_DONE_EVENT, intervention, action_id=action.id, done_at=now)
        done = replace(action, status=ACTION_DONE, done_at=now)
        await record_change(session, "done", before=action, after=done)
        actions = tuple(done if a.id == done.id else a for a in intervention.actions)
        await close_if_recovered_and_done(
            session, intervention=replace(intervention, actions=actions), closed_by=actor, now=now
        )
    return done
