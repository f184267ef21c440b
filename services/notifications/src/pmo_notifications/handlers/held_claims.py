"""Claimed attempts waiting in this replica for a sending slot at their receiver.

An attempt whose receiver already has its cap of sends in flight waits here, still claimed, and
goes as soon as one of those sends ends, rather than being handed back to the database for
half a second and claimed again. A receiver's queue is no deeper than its cap, so an attempt
waits for at most one send ahead of it (each ended by its deadline, well within the claim's
lease); the attempts beyond are handed back for other replicas to take.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from pmo_notifications.domain.delivery_schedule import DeliveryRecord


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed attempt: its claim token, the secret to sign it with, when it was claimed."""

    delivery: DeliveryRecord
    token: str
    secret: str | None
    # Monotonic seconds, read before the claim was taken (so its lease ends no sooner).
    claimed_at: float


class HeldClaims:
    """Per receiver, the claims waiting for one of its sends to end, oldest first."""

    def __init__(self, *, depth: int) -> None:
        self._depth = depth
        self._queues: dict[str, deque[Claim]] = {}

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def hold(self, receiver: str, claim: Claim) -> bool:
        """Queue `claim` behind `receiver`'s sends; False when its queue is full."""
        queue = self._queues.setdefault(receiver, deque())
        if len(queue) >= self._depth:
            return False
        queue.append(claim)
        return True

    def next_for(self, receiver: str) -> Claim | None:
        """The claim that has waited longest for `receiver`, taken out of its queue."""
        queue = self._queues.get(receiver)
        if not queue:
            return None
        claim = queue.popleft()
        if not queue:
            del self._queues[receiver]
        return claim

    def take_all(self) -> list[Claim]:
        """Every held claim, taken out (at shutdown, to hand them back)."""
        claims = [claim for queue in self._queues.values() for claim in queue]
        self._queues.clear()
        return claims
