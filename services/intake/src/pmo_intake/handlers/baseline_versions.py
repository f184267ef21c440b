"""The one way a project's baseline gets a version: version 1 when the project is registered,
the next one (with `project.rebaselined`) whenever a controlled field changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pmo_common.events.catalog import PROJECT_REBASELINED
from pmo_common.events.payloads import BaselineSnapshot, ProjectRebaselined
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import baseline_repository as repo
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.baselines import BaselineVersion, baseline_json, baseline_version_of
from pmo_intake.domain.records import Project
from pmo_intake.handlers.audit_records import record_change


async def record_first_baseline(
    session: AsyncSession, *, project: Project, actor: str, reason: str
) -> BaselineVersion:
    """Store the new project's baseline as its version 1 (project.created announces it)."""
    first = baseline_version_of(
        project, version=1, reason=reason, created_by=actor, created_at=project.created_at
    )
    await repo.add_version(session, baseline=first)
    return first


async def rebaseline(
    session: AsyncSession,
    *,
    before: Project,
    after: Project,
    changed: Sequence[str],
    actor: str,
    reason: str,
    at: datetime,
    change_request_id: str | None = None,
) -> BaselineVersion:
    """Store `after`'s baseline as the project's next version and publish project.rebaselined
    with the baseline it replaces. The caller holds the project's row lock, so two changes
    cannot take the same number."""
    number = await repo.latest_version_number(session, project_id=after.id) + 1
    current = baseline_version_of(
        after,
        version=number,
        reason=reason,
        created_by=actor,
        created_at=at,
        change_request_id=change_request_id,
    )
    await repo.add_version(session, baseline=current)
    # Under the project's id, so the project's trail shows its baseline versions too.
    await record_change(
        session,
        "baseline.created",
        after.id,
        before={**baseline_json(before), "version": number - 1},
        after={**baseline_json(current), "version": number, "reason": reason},
    )
    payload = ProjectRebaselined(
        project_id=after.id,
        version=number,
        previous=BaselineSnapshot.model_validate(baseline_json(before)),
        current=BaselineSnapshot.model_validate(baseline_json(current)),
        reason=reason,
        changed_fields=list(changed),
        change_request_id=change_request_id,
        changed_by=actor,
        changed_at=at,
    )
    await outbox.enqueue(session, PROJECT_REBASELINED, payload, subject=after.id)
    return current
