"""Hysteresis: a signal keeps its colour until its value clears the threshold by a margin.

Without it a project whose CPI hovers around 0.90 would go red, amber, red on successive
reports and publish `project.at_risk` / `project.recovered` each time. Worsening is never
delayed: only leaving a colour needs the margin, so an alert is raised as early as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pmo_monitoring.domain.model import SignalRag, Thresholds
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.value_records import value_record

TOLERANCE = 1e-9
"""Relative float noise allowed at a threshold, so 0.9499999999 computed for 0.95 is 0.95."""

HYSTERESIS_CODES: frozenset[str] = frozenset(
    {
        ReasonCode.CPI_BELOW_THRESHOLD,
        ReasonCode.SPI_BELOW_THRESHOLD,
        ReasonCode.SPI_T_BELOW_THRESHOLD,
        ReasonCode.EAC_OVER_BUDGET,
    }
)
"""The continuous signals hysteresis applies to; milestones and flags do not hover."""


@dataclass(frozen=True, slots=True)
class HysteresisMargins:
    """How far a value must clear a threshold to leave a colour it had last time.

    `index` is in index points (CPI, SPI, SPI(t)); `eac_ratio` in fractions of BAC, so the
    default 0.01 is one percentage point of the budget.
    """

    index: float = 0.02
    eac_ratio: float = 0.01

    def __post_init__(self) -> None:
        if not (self.index >= 0 and self.eac_ratio >= 0):
            raise ValueError("hysteresis margins must be >= 0")


DEFAULT_MARGINS = HysteresisMargins()
NO_HYSTERESIS = HysteresisMargins(index=0.0, eac_ratio=0.0)


@value_record
class SignalJudgement:
    """A signal's colour and the limit it is judged against.

    `held` is True when the colour comes from hysteresis alone: the plain rule would give a
    better colour, and `limit` is then the value the signal must clear.
    """

    rag: SignalRag
    limit: float
    held: bool


def is_below(value: float, limit: float) -> bool:
    """value < limit, beyond float noise."""
    return value < _lower_edge(limit)


def is_above(value: float, limit: float) -> bool:
    """value > limit, beyond float noise."""
    return value > _upper_edge(limit)


Judged = tuple[SignalRag, float, bool]
"""A `SignalJudgement`'s rag, limit and held, as the health rules pass it around."""


def judge_below(
    value: float, *, amber: float, red: float, previous: str | None, margin: float
) -> SignalJudgement | None:
    """Colour of a "lower is worse" signal (an index), given its colour last time.

    Red last time: red until value >= red + margin, amber until value >= amber + margin.
    Amber last time: amber until value >= amber + margin. None when the signal is green.
    """
    judged = Band.lower_is_worse(amber, red, margin).judge(value, previous)
    return None if judged is None else SignalJudgement(*judged)


def judge_above(
    value: float, *, amber: float, red: float, previous: str | None, margin: float
) -> SignalJudgement | None:
    """Colour of a "higher is worse" signal (EAC), mirroring `judge_below`."""
    judged = Band.higher_is_worse(amber, red, margin).judge(value, previous)
    return None if judged is None else SignalJudgement(*judged)


@value_record
class Band:
    """A signal's amber and red limits, with and without the hysteresis margin, and the points
    beyond float noise (is_below, is_above) at which a value crosses each: worked out once per
    project, since its thresholds, margins and budget do not change from report to report."""

    higher: bool
    """True when higher is worse (EAC), False when lower is worse (an index)."""
    amber: float
    red: float
    held_amber: float
    """The amber limit moved by the margin: what a colour held from last time must clear."""
    held_red: float
    amber_edge: float
    red_edge: float
    held_amber_edge: float
    held_red_edge: float

    @classmethod
    def lower_is_worse(cls, amber: float, red: float, margin: float) -> Band:
        """An index's band: a colour is held until the value is back above limit + margin."""
        return cls._of(amber, red, margin, higher=False)

    @classmethod
    def higher_is_worse(cls, amber: float, red: float, margin: float) -> Band:
        """EAC's band: a colour is held until the value is back below limit - margin."""
        return cls._of(amber, red, -margin, higher=True)

    @classmethod
    def _of(cls, amber: float, red: float, move: float, *, higher: bool) -> Band:
        # limit + (-margin) is limit - margin to the last bit: IEEE subtracts by adding the
        # negation.
        edge = _upper_edge if higher else _lower_edge
        held_amber, held_red = amber + move, red + move
        return cls(
            higher=higher,
            amber=amber,
            red=red,
            held_amber=held_amber,
            held_red=held_red,
            amber_edge=edge(amber),
            red_edge=edge(red),
            held_amber_edge=edge(held_amber),
            held_red_edge=edge(held_red),
        )

    def judge(self, value: float, previous: str | None) -> Judged | None:
        """The colour of `value` given last time's, its limit and whether it is held; None
        when green (see judge_below)."""
        plain = self._colour(value, self.amber_edge, self.red_edge)
        if previous != "amber" and previous != "red":
            if plain is None:
                return None
            return (plain, self.red, False) if plain == "red" else (plain, self.amber, False)
        was_red = previous == "red"
        held = self._colour(
            value, self.held_amber_edge, self.held_red_edge if was_red else self.red_edge
        )
        if held == "red":
            # Only a red of last time moves the red limit, so a red the plain limit does not
            # give was held from last time.
            return (held, self.red, False) if plain == "red" else (held, self.held_red, True)
        if held == "amber":
            return (held, self.amber, False) if plain == "amber" else (held, self.held_amber, True)
        return None

    def _colour(self, value: float, amber_edge: float, red_edge: float) -> SignalRag | None:
        if self.higher:
            if value > red_edge:
                return "red"
            return "amber" if value > amber_edge else None
        if value < red_edge:
            return "red"
        return "amber" if value < amber_edge else None


def judge_signals(
    *,
    cpi: float | None,
    spi: float | None,
    spi_t: float | None,
    eac: float | None,
    bac: float,
    thresholds: Thresholds,
    previous: Mapping[str, str] | None = None,
    margins: HysteresisMargins = DEFAULT_MARGINS,
) -> dict[str, SignalJudgement | None]:
    """The four continuous signals judged with hysteresis, keyed by their reason code.

    `previous` maps reason codes to last time's colours (see `signal_rags`); a signal absent
    from it was green (or unjudged) and gets the plain rule. A None value is not judged.
    """
    before = previous or {}
    codes = ReasonCode
    judged: dict[str, SignalJudgement | None] = {code: None for code in HYSTERESIS_CODES}
    for code, value, amber, red in (
        (codes.CPI_BELOW_THRESHOLD, cpi, thresholds.cpi_amber, thresholds.cpi_red),
        (codes.SPI_BELOW_THRESHOLD, spi, thresholds.spi_amber, thresholds.spi_red),
        (codes.SPI_T_BELOW_THRESHOLD, spi_t, thresholds.spi_amber, thresholds.spi_red),
    ):
        if value is not None:
            judged[code] = judge_below(
                value, amber=amber, red=red, previous=before.get(code), margin=margins.index
            )
    if eac is not None:
        judged[codes.EAC_OVER_BUDGET] = judge_above(
            eac,
            amber=bac * thresholds.eac_amber_ratio,
            red=bac * thresholds.eac_red_ratio,
            previous=before.get(codes.EAC_OVER_BUDGET),
            margin=bac * margins.eac_ratio,
        )
    return judged


def signal_rags(reasons: Iterable[Reason | Mapping[str, object]]) -> dict[str, SignalRag]:
    """Each reason code's colour from an assessment's reasons or their stored records.

    Accepts `Reason` objects or mappings with `code` and `rag` (as stored and answered by
    the service), so the previous colours survive a round trip through the database.
    """
    colours: dict[str, SignalRag] = {}
    for reason in reasons:
        rag: str
        if isinstance(reason, Reason):
            code, rag = str(reason.code), reason.rag
        else:
            code, rag = str(reason.get("code")), str(reason.get("rag"))
        if rag == "red":
            colours[code] = "red"
        elif rag == "amber" and colours.get(code) != "red":
            colours[code] = "amber"
    return colours


def _lower_edge(limit: float) -> float:
    """Below this, a value is below `limit` beyond float noise (is_below)."""
    return limit - TOLERANCE * max(1.0, abs(limit))


def _upper_edge(limit: float) -> float:
    """Above this, a value is above `limit` beyond float noise (is_above)."""
    return limit + TOLERANCE * max(1.0, abs(limit))
