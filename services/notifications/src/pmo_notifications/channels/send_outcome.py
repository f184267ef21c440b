"""What one send over a channel achieved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The result of one attempt; `retryable` is False when trying again cannot help."""

    delivered: bool
    http_status: int | None = None
    error: str | None = None
    retryable: bool = True

    @classmethod
    def success(cls, http_status: int | None = None) -> SendOutcome:
        """A delivered message."""
        return cls(delivered=True, http_status=http_status)

    @classmethod
    def failure(
        cls, error: str, *, http_status: int | None = None, retryable: bool = True
    ) -> SendOutcome:
        """A message that did not get through, and why."""
        return cls(delivered=False, http_status=http_status, error=error, retryable=retryable)
