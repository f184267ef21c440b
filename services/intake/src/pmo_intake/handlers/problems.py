"""The problems intake's use cases answer with, shaped the same way wherever they arise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pmo_common.problems import ProblemException, not_found

from pmo_intake.domain.project_rules import RuleViolation

T = TypeVar("T")


def raise_if_any(violations: Sequence[RuleViolation]) -> None:
    """A 422 naming every broken rule of a project, when there is one."""
    if violations:
        raise ProblemException(
            422,
            "Invalid project",
            "; ".join(f"{v.field}: {v.reason}" for v in violations),
            errors=[{"field": f"body.{v.field}", "reason": v.reason} for v in violations],
        )


def name_taken(name: str) -> ProblemException:
    """A 409: a portfolio or programme already has this name."""
    return ProblemException(
        409,
        "Name taken",
        f"'{name}' is already used.",
        errors=[{"field": "body.name", "reason": "already used"}],
    )


def found(record: T | None, what: str, identifier: str) -> T:
    """The record a lookup found; a 404 naming what was looked for when it found none."""
    if record is None:
        raise not_found(what, identifier)
    return record
