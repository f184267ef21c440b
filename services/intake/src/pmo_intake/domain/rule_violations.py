"""How every rule of intake's domain says what it refuses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """A field that breaks a rule, and why, in plain words."""

    field: str
    reason: str
