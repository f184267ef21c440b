"""What every delivery channel does: vet a subscriber's target, and send one message."""

from __future__ import annotations

from typing import Protocol

from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome


class Channel(Protocol):
    """A way to reach a subscriber; registered by name in `channels.registry`."""

    @property
    def signs_messages(self) -> bool:
        """Whether messages are signed with the subscription's secret.

        A subscription on such a channel gets a secret when created, and a message whose
        subscription was deleted meanwhile is skipped (there is no secret left to sign with).
        """
        ...

    async def checked_target(self, target: str) -> str:
        """The target in canonical form; raises TargetRefused (with the reason) if unfit."""
        ...

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        """Send one message; never raises for a failure the receiver or network caused."""
        ...
