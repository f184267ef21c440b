"""One message handed to a delivery channel, and what sending it achieved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a channel sends: the same `message_id` on every retry of one delivery."""

    target: str
    subject: str | None
    body: str
    message_id: str
    # The subscription's signing secret, for channels that sign what they send.
    secret: str | None = None


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
