"""Use cases of the project registry: register, change and close projects."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.payloads import ProjectClosed, ProjectCreated, ProjectUpdated
from pmo_common.problems import ProblemException
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import project_repository as repo
from pmo_intake.domain.project_rules import (
    MilestonePlan,
    PlannedValuePoint,
    RuleViolation,
    changed_fields,
    check_baseline,
)

BASELINE_FIELDS = (
    "name",
    "manager",
    "sponsor",
    "methodology",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "milestones",
    "planned_value_profile",
    "portfolio_id",
    "program_id",
    "external_ref",
)


def _raise_if_any(violations: list[RuleViolation]) -> None:
    if violations:
        raise ProblemException(
            422,
            "Invalid project",
            "; ".join(f"{v.field}: {v.reason}" for v in violations),
            errors=[{"field": f"body.{v.field}", "reason": v.reason} for v in violations],
        )


async def _validate(session: AsyncSession, values: dict[str, Any]) -> None:
    milestones = [MilestonePlan(m["name"], _as_date(m["due_date"])) for m in values["milestones"]]
    profile = [
        PlannedValuePoint(_as_date(p["date"]), float(p["percent"]))
        for p in values.get("planned_value_profile") or []
    ]
    violations = check_baseline(
        start_date=values["start_date"],
        end_date=values["end_date"],
        milestones=milestones,
        methodology=values["methodology"],
        known_methodologies=await repo.methodology_keys(session),
        planned_value_profile=profile,
    )
    if values.get("portfolio_id") and not await repo.portfolio_exists(
        session, values["portfolio_id"]
    ):
        violations.append(RuleViolation("portfolio_id", "no portfolio with this id exists"))
    if values.get("program_id"):
        exists, program_portfolio = await repo.program_portfolio(session, values["program_id"])
        if not exists:
            violations.append(RuleViolation("program_id", "no programme with this id exists"))
        elif program_portfolio and values.get("portfolio_id") not in (None, program_portfolio):
            violations.append(
                RuleViolation("program_id", "the programme belongs to another portfolio")
            )
    _raise_if_any(violations)


def _as_date(value: Any) -> Any:
    return datetime.fromisoformat(value).date() if isinstance(value, str) else value


def _snapshot(project: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_id": project["id"],
        **{name: project[name] for name in BASELINE_FIELDS},
        "status": project["status"],
        "version": project["version"],
    }


async def register_project(
    session: AsyncSession, runtime: ServiceRuntime, *, fields: dict[str, Any]
) -> dict[str, Any]:
    """Validate and add a project, publishing project.created with it."""
    await _validate(session, fields)
    now = datetime.now(UTC)
    project = {
        **fields,
        "id": str(uuid.uuid4()),
        "status": "active",
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "closed_at": None,
        "close_reason": None,
    }
    await repo.insert_project(session, project)
    payload = ProjectCreated.model_validate(_snapshot(project))
    await runtime.emit(session, "project.created", payload, subject=project["id"])
    return project


async def change_project(
    session: AsyncSession,
    runtime: ServiceRuntime,
    *,
    project: dict[str, Any],
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Apply a partial change to an active project, publishing project.updated."""
    if project["status"] == "closed":
        raise ProblemException(409, "Project closed", "A closed project cannot be changed.")
    merged = {**project, **changes}
    await _validate(session, merged)
    changed = changed_fields(
        {k: project[k] for k in BASELINE_FIELDS}, {k: merged[k] for k in BASELINE_FIELDS}
    )
    if not changed:
        return project
    merged["version"] = project["version"] + 1
    merged["updated_at"] = datetime.now(UTC)
    await repo.update_project(
        session,
        project["id"],
        {k: merged[k] for k in (*BASELINE_FIELDS, "version", "updated_at")},
    )
    payload = ProjectUpdated.model_validate({**_snapshot(merged), "changed_fields": changed})
    await runtime.emit(session, "project.updated", payload, subject=project["id"])
    return merged


async def close_project(
    session: AsyncSession, runtime: ServiceRuntime, *, project: dict[str, Any], reason: str | None
) -> dict[str, Any]:
    """Close an active project, publishing project.closed; closing twice changes nothing."""
    if project["status"] == "closed":
        return project
    now = datetime.now(UTC)
    closed = {
        **project,
        "status": "closed",
        "closed_at": now,
        "close_reason": reason,
        "updated_at": now,
        "version": project["version"] + 1,
    }
    await repo.update_project(
        session,
        project["id"],
        {k: closed[k] for k in ("status", "closed_at", "close_reason", "updated_at", "version")},
    )
    payload = ProjectClosed(
        project_id=project["id"],
        name=project["name"],
        closed_at=now,
        reason=reason,
        version=closed["version"],
    )
    await runtime.emit(session, "project.closed", payload, subject=project["id"])
    return closed
