"""A broken rule, named by the input field it concerns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A field that breaks a rule, and why, in plain words."""

    field: str
    reason: str
