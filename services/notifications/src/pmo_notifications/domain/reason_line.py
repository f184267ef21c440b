"""Why a project is not green, as monitoring worded it (stored with alerts, quoted in e-mails)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ReasonLine:
    """One reason a project is not green."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None
    # The message in each language monitoring wrote it in, by language code (may be empty).
    messages: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
