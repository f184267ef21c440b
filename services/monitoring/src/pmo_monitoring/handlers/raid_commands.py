"""Use cases writing the RAID register: add an item, change one (If-Match on the locked row).

Each write is audited in its own transaction (raid_item.created / raid_item.updated, with the
fields before and after). A dependency written re-assesses its project at once, so a
dependency at risk (or no longer) shows in its health and events without waiting for a report.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import raid_repository as register
from pmo_monitoring.db.audit_trail import trail
from pmo_monitoring.domain.raid import (
    KIND_SPECIFIC_FIELDS,
    RaidIssue,
    RaidItem,
    as_kind,
    change_issues,
    changed_item,
    new_item_issues,
)
from pmo_monitoring.domain.records import ProjectContext
from pmo_monitoring.handlers.health_assessment import reassess_and_publish

INVALID_ITEM = "Invalid RAID item"
UPSTREAM = "depends_on_project_id"

Precondition = Callable[[RaidItem], None]
"""A check of the locked item before it changes (the caller's If-Match); raises to refuse."""


def item_not_found(project_id: str, item_id: str) -> ProblemException:
    """The 404 of an item the project's register does not have."""
    return ProblemException(
        404,
        "RAID item not found",
        f"Project {project_id} has no RAID item with id {item_id}.",
    )


async def _upstream_issues(
    session: AsyncSession, project_id: str, values: Mapping[str, Any]
) -> list[RaidIssue]:
    """A dependency may not wait for its own project, nor for one monitoring never heard of."""
    upstream = values.get(UPSTREAM)
    if upstream is None:
        return []
    if upstream == project_id:
        return [RaidIssue(UPSTREAM, "a project cannot depend on itself")]
    if await projections.get_project(session, project_id=upstream) is None:
        return [RaidIssue(UPSTREAM, f"no project with id {upstream} is known to monitoring")]
    if await _waits_for(session, start=upstream, target=project_id):
        return [
            RaidIssue(
                UPSTREAM,
                f"project {upstream} already depends, directly or through other projects, on "
                "this one: the dependency would make a cycle",
            )
        ]
    return []


async def _waits_for(session: AsyncSession, *, start: str, target: str) -> bool:
    """Whether `start` depends on `target` through open dependencies (a walk of the graph).

    Cycles are refused because nothing can finish first in one, and because a report
    re-assesses its dependents in its own transaction: two projects of a cycle reporting at
    once would each hold its own row and wait for the other's (a deadlock).
    """
    seen, frontier = {start}, [start]
    while frontier:
        project_id = frontier.pop()
        for upstream in await register.upstream_project_ids(session, downstream_id=project_id):
            if upstream == target:
                return True
            if upstream not in seen:
                seen.add(upstream)
                frontier.append(upstream)
    return False


async def _audit(
    session: AsyncSession, action: str, before: RaidItem | None, after: RaidItem
) -> None:
    await trail.record(
        session,
        action=action,
        resource_type="raid_item",
        resource_id=after.id,
        before=asdict(before) if before is not None else None,
        after=asdict(after),
    )


async def _reassess_if_dependency(
    session: AsyncSession, context: ProjectContext, item: RaidItem, today: date
) -> None:
    if item.kind == "dependency" and not context.project.closed:
        await reassess_and_publish(session, context, today=today)


async def add_item(
    session: AsyncSession,
    *,
    context: ProjectContext,
    values: Mapping[str, Any],
    created_by: str,
    today: date,
) -> RaidItem:
    """Add an item to a project's register (422 naming each refused field).

    `values` are the fields the caller sent (an explicit null included), kind and title always.
    """
    project_id = context.project.id
    kind = as_kind(values["kind"])
    issues = new_item_issues(kind, values, sent=values.keys())
    if not issues and kind == "dependency":
        issues = await _upstream_issues(session, project_id, values)
    raise_if_invalid(issues, title=INVALID_ITEM)
    now = datetime.now(UTC)
    item = RaidItem(
        id=str(uuid.uuid4()),
        project_id=project_id,
        kind=kind,
        title=values["title"],
        description=values.get("description"),
        owner=values.get("owner"),
        status=values.get("status") or "open",
        **{name: values.get(name) for name in sorted(KIND_SPECIFIC_FIELDS)},
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work(session):
        await register.insert_item(session, item=item)
        await _audit(session, "raid_item.created", None, item)
        await _reassess_if_dependency(session, context, item, today)
    return item


async def change_item(
    session: AsyncSession,
    *,
    context: ProjectContext,
    item_id: str,
    changes: Mapping[str, Any],
    precondition: Precondition,
    today: date,
) -> RaidItem:
    """Change an item: read it locked, check the caller's precondition (412), the changes
    (422), store and audit them, all in one transaction."""
    project_id = context.project.id
    async with unit_of_work(session):
        item = await register.get_item(
            session, project_id=project_id, item_id=item_id, for_update=True
        )
        if item is None:
            raise item_not_found(project_id, item_id)
        precondition(item)
        issues = change_issues(item, changes)
        if (
            not issues
            and item.kind == "dependency"
            and changes.get("status", item.status) == "open"
        ):
            # A reopened dependency is checked like a new one: it may close a cycle again.
            upstream = changes.get(UPSTREAM, item.depends_on_project_id)
            issues = await _upstream_issues(session, project_id, {UPSTREAM: upstream})
        raise_if_invalid(issues, title=INVALID_ITEM)
        changed = changed_item(item, changes, now=datetime.now(UTC))
        await register.update_item(session, item=changed)
        await _audit(session, "raid_item.updated", item, changed)
        await _reassess_if_dependency(session, context, changed, today)
    return changed
