"""Which claimed delivery may be sent now, and for how long the others wait.

Two limits apply per replica: sends in flight to one receiver are capped (a slow receiver holds
no more than its share of the sending slots), and a target whose circuit is open is not tried
at all (its deliveries wait for the half-open probe without spending an attempt).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pmo_notifications.channels.channel import Channel
from pmo_notifications.domain.circuit_breaker import CircuitBreakers
from pmo_notifications.domain.delivery_schedule import DeliveryRecord

# How long an attempt whose receiver is at its cap waits before it is claimed again.
BUSY_RECEIVER_WAIT_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a started send holds until it finishes: a slot at its receiver, its circuit."""

    receiver: str | None
    circuit: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """Send now (`ticket`), or wait `wait_seconds` before the delivery is claimed again;
    `busy_receiver` names the receiver at its cap when that is why it waits."""

    ticket: Ticket | None
    wait_seconds: float = 0.0
    busy_receiver: str | None = None


class SendGate:
    """Admits claimed deliveries by their receiver's cap and their target's circuit."""

    def __init__(
        self,
        *,
        channels: Mapping[str, Channel],
        per_receiver_cap: int,
        circuits: CircuitBreakers,
    ) -> None:
        self._channels = channels
        self._cap = per_receiver_cap
        self._circuits = circuits
        self._busy: Counter[str] = Counter()

    def decide(self, delivery: DeliveryRecord, *, now: float) -> Decision:
        """Whether `delivery` is sent now (`now` in monotonic seconds).

        The receiver's cap is checked first, so a send that could not start anyway never takes
        a half-open circuit's one probe.
        """
        channel = self._channels.get(delivery.channel)
        if channel is None:
            return Decision(Ticket(receiver=None, circuit=None))
        receiver = channel.concurrency_key(delivery.target)
        if receiver is not None and self._busy[receiver] >= self._cap:
            return Decision(None, BUSY_RECEIVER_WAIT_SECONDS, busy_receiver=receiver)
        circuit = channel.circuit_key(delivery.target)
        admission = self._circuits.admit(circuit, now=now)
        if not admission.allowed:
            retry_at = admission.retry_at if admission.retry_at is not None else now
            return Decision(None, max(retry_at - now, BUSY_RECEIVER_WAIT_SECONDS))
        if receiver is not None:
            self._busy[receiver] += 1
        return Decision(Ticket(receiver=receiver, circuit=circuit))

    def finish(self, ticket: Ticket, *, target_up: bool | None, now: float) -> bool:
        """Free the ticket's slot and count the outcome against its circuit; True when the
        circuit closed again (its target is back, and what waits for it may go now)."""
        if ticket.receiver is not None:
            self._busy[ticket.receiver] -= 1
            if self._busy[ticket.receiver] <= 0:
                del self._busy[ticket.receiver]
        if ticket.circuit is None:
            return False
        return self._circuits.record(ticket.circuit, succeeded=target_up, now=now)
