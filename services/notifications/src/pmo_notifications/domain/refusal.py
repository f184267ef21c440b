"""A request a rule refuses, with the reason in plain words (fit to show the caller)."""

from __future__ import annotations


class Refusal(Exception):
    """Raised where a rule refuses what was asked; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
