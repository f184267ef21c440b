"""Circuit breakers per delivery target, so a dead target does not eat the attempts of live ones.

Closed: every send goes through, and failures in a row are counted. At `failure_threshold` the
circuit opens: nothing is sent to the target for `open_seconds` (the deliveries wait without
spending an attempt). Then it is half-open: one send goes through as a probe while the others
keep waiting; a probe that fails opens the circuit again, a success closes it.

Pure and in memory: each replica keeps its own circuits, and time is passed in (monotonic
seconds), so the rules are tested without clocks or I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a send to a target may start now; if not, when to ask again."""

    allowed: bool
    # Monotonic seconds at which the target may be tried again (a refused send only).
    retry_at: float | None = None
    # The one send let through a half-open circuit: its outcome decides the circuit.
    probe: bool = False


@dataclass(slots=True)
class _Circuit:
    failures: int = 0
    # Set while open: nothing is sent before this moment (monotonic seconds).
    open_until: float | None = None
    probing: bool = False


class CircuitBreakers:
    """One circuit per target key (a webhook receiver's origin, the SMTP server, ...)."""

    def __init__(self, *, failure_threshold: int, open_seconds: float) -> None:
        if failure_threshold < 1:
            raise ValueError("a circuit opens after at least one failure")
        if open_seconds <= 0:
            raise ValueError("a circuit stays open for some time")
        self._threshold = failure_threshold
        self._open_seconds = open_seconds
        self._circuits: dict[str, _Circuit] = {}

    def state(self, key: str, *, now: float) -> str:
        """CLOSED, OPEN or HALF_OPEN."""
        circuit = self._circuits.get(key)
        if circuit is None or circuit.open_until is None:
            return CLOSED
        return OPEN if now < circuit.open_until else HALF_OPEN

    def admit(self, key: str, *, now: float) -> Admission:
        """Whether a send to `key` may start at `now`; a half-open circuit admits one probe."""
        circuit = self._circuits.get(key)
        if circuit is None or circuit.open_until is None:
            return Admission(allowed=True)
        if now < circuit.open_until:
            return Admission(allowed=False, retry_at=circuit.open_until)
        if circuit.probing:
            # The probe decides: if it fails, the next probe is one open period away; if it
            # succeeds, the caller brings the waiting sends forward.
            return Admission(allowed=False, retry_at=now + self._open_seconds)
        circuit.probing = True
        return Admission(allowed=True, probe=True)

    def record(self, key: str, *, succeeded: bool | None, now: float) -> bool:
        """Count one finished send; True when this success closed an open circuit.

        `succeeded` None: the send said nothing of the target (it was skipped before reaching
        it, or refused for its own reasons); a probe that ends so frees the probe's place.
        """
        circuit = self._circuits.get(key)
        if succeeded is None:
            if circuit is not None:
                circuit.probing = False
            return False
        if succeeded:
            was_open = circuit is not None and circuit.open_until is not None
            self._circuits.pop(key, None)
            return was_open
        if circuit is None:
            circuit = self._circuits[key] = _Circuit()
        circuit.failures += 1
        if circuit.probing or (circuit.open_until is None and circuit.failures >= self._threshold):
            circuit.open_until = now + self._open_seconds
            circuit.probing = False
        return False
