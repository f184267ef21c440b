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

    @property
    def target_up(self) -> bool | None:
        """What the attempt says of its target, for its circuit breaker: up (delivered), down
        (a failure worth retrying: no connection, a timeout, an error answer), or nothing (a
        refusal of this message for its own reasons)."""
        if self.delivered:
            return True
        return False if self.retryable else None

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
