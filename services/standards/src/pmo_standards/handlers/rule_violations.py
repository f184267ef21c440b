"""Broken domain rules (RuleViolation) as 422 problem+json answers naming each field."""

from __future__ import annotations

from pmo_common.problems import ProblemException

from pmo_standards.domain.methodology import RuleViolation


def unprocessable(violation: RuleViolation, *, location: str = "body") -> ProblemException:
    """A 422 problem listing every issue, fields prefixed like request-validation errors."""
    errors = [
        {"field": f"{location}.{issue.field}", "reason": issue.reason} for issue in violation.issues
    ]
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return ProblemException(422, "Invalid request", summary, errors=errors)
