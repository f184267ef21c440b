"""The registry's checks of a project as it would be stored: its rules (domain) plus the
portfolio, programme and methodology it names, which only the database knows."""

from __future__ import annotations

from pmo_common.problems import raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository, program_repository, projection_repository
from pmo_intake.domain.project_rules import RuleViolation, check_baseline
from pmo_intake.domain.records import Baseline


async def validate_project(
    session: AsyncSession, baseline: Baseline, *, location: str = "body"
) -> None:
    """422 naming every field (under `location`) of the project that breaks a rule."""
    violations = check_baseline(
        start_date=baseline.start_date,
        end_date=baseline.end_date,
        milestones=baseline.milestones,
        methodology=baseline.methodology,
        known_methodologies=await projection_repository.methodology_keys(session),
        planned_value_profile=baseline.planned_value_profile,
    )
    if baseline.portfolio_id and not await portfolio_repository.portfolio_exists(
        session, portfolio_id=baseline.portfolio_id
    ):
        violations.append(RuleViolation("portfolio_id", "no portfolio with this id exists"))
    if baseline.program_id:
        program = await program_repository.get_program(session, program_id=baseline.program_id)
        if program is None:
            violations.append(RuleViolation("program_id", "no programme with this id exists"))
        elif program.portfolio_id and baseline.portfolio_id not in (None, program.portfolio_id):
            violations.append(
                RuleViolation("program_id", "the programme belongs to another portfolio")
            )
    raise_if_invalid(violations, title="Invalid project", location=location)
