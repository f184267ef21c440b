"""Why a project is not green, as monitoring worded it (stored with alerts, quoted in e-mails)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReasonLine:
    """One reason a project is not green."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None
