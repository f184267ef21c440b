"""Broken domain rules as the 422 problem that names each field."""

from __future__ import annotations

from collections.abc import Sequence

from pmo_common.problems import ProblemException

from pmo_notifications.domain.rule_violation import RuleViolation


def raise_violations(violations: Sequence[RuleViolation]) -> None:
    """Raise a 422 problem listing every violation; do nothing when there is none."""
    if violations:
        raise ProblemException(
            422,
            "Invalid request",
            "; ".join(f"{v.field}: {v.reason}" for v in violations),
            errors=[{"field": v.field, "reason": v.reason} for v in violations],
        )
