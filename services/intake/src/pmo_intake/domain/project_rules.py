"""Rules a project baseline must satisfy, as plain functions (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from pmo_intake.domain.records import (
    BASELINE_FIELDS,
    Baseline,
    MilestonePlan,
    PlannedValuePoint,
)
from pmo_intake.domain.rule_violations import RuleViolation as RuleViolation

PROJECT_STATUSES = ("active", "closed")


def check_planned_value_profile(
    profile: Sequence[PlannedValuePoint], *, start_date: date, end_date: date
) -> list[RuleViolation]:
    """A profile must run forward in time within the project and never plan less than before."""
    violations: list[RuleViolation] = []
    for index, point in enumerate(profile):
        field = f"planned_value_profile.{index}"
        if not start_date <= point.on <= end_date:
            violations.append(
                RuleViolation(f"{field}.date", "must fall between start_date and end_date")
            )
        if index > 0:
            before = profile[index - 1]
            if point.on <= before.on:
                violations.append(RuleViolation(f"{field}.date", "dates must increase"))
            if point.percent < before.percent:
                violations.append(
                    RuleViolation(
                        f"{field}.percent",
                        "a cumulative profile cannot plan less than at an earlier date",
                    )
                )
    return violations


def check_baseline(
    *,
    start_date: date,
    end_date: date,
    milestones: Sequence[MilestonePlan],
    methodology: str,
    known_methodologies: Iterable[str],
    planned_value_profile: Sequence[PlannedValuePoint] = (),
) -> list[RuleViolation]:
    """Every way the baseline breaks the registry's rules (empty when it is sound)."""
    violations: list[RuleViolation] = check_planned_value_profile(
        planned_value_profile, start_date=start_date, end_date=end_date
    )
    if end_date <= start_date:
        violations.append(
            RuleViolation("end_date", f"must be after start_date ({start_date.isoformat()})")
        )
    known = sorted(set(known_methodologies))
    if methodology not in known:
        violations.append(
            RuleViolation(
                "methodology",
                f"unknown methodology '{methodology}'; known ones are: {', '.join(known)}",
            )
        )
    seen: set[str] = set()
    for index, milestone in enumerate(milestones):
        if milestone.name.casefold() in seen:
            violations.append(
                RuleViolation(f"milestones.{index}.name", f"'{milestone.name}' appears twice")
            )
        seen.add(milestone.name.casefold())
        if not start_date <= milestone.due_date <= end_date:
            violations.append(
                RuleViolation(
                    f"milestones.{index}.due_date",
                    "must fall between the project's start_date and end_date",
                )
            )
    return violations


def changed_fields(before: Baseline, after: Baseline) -> list[str]:
    """Names of the baseline fields whose values differ, sorted."""
    return sorted(name for name in BASELINE_FIELDS if getattr(before, name) != getattr(after, name))
