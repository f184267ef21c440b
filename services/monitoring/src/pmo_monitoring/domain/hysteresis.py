"""Hysteresis: a signal keeps its colour until its value clears the threshold by a margin.

Without it a project whose CPI hovers around 0.90 would go red, amber, red on successive
reports and publish `project.at_risk` / `project.recovered` each time. Worsening is never
delayed: only leaving a colour needs the margin, so an alert is raised as early as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pmo_monitoring.domain.model import SignalRag, Thresholds
from pmo_monitoring.domain.reasons import Reason, ReasonCode

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


@dataclass(frozen=True, slots=True)
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
    return value < limit - TOLERANCE * max(1.0, abs(limit))


def is_above(value: float, limit: float) -> bool:
    """value > limit, beyond float noise."""
    return value > limit + TOLERANCE * max(1.0, abs(limit))


def judge_below(
    value: float, *, amber: float, red: float, previous: str | None, margin: float
) -> SignalJudgement | None:
    """Colour of a "lower is worse" signal (an index), given its colour last time.

    Red last time: red until value >= red + margin, amber until value >= amber + margin.
    Amber last time: amber until value >= amber + margin. None when the signal is green.
    """
    plain = _colour(value, amber, red, is_below)
    held_amber = amber + margin if previous in ("amber", "red") else amber
    held_red = red + margin if previous == "red" else red
    held = _colour(value, held_amber, held_red, is_below)
    return _judgement(plain, held, (amber, red), (held_amber, held_red))


def judge_above(
    value: float, *, amber: float, red: float, previous: str | None, margin: float
) -> SignalJudgement | None:
    """Colour of a "higher is worse" signal (EAC), mirroring `judge_below`."""
    plain = _colour(value, amber, red, is_above)
    held_amber = amber - margin if previous in ("amber", "red") else amber
    held_red = red - margin if previous == "red" else red
    held = _colour(value, held_amber, held_red, is_above)
    return _judgement(plain, held, (amber, red), (held_amber, held_red))


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


def _colour(
    value: float, amber: float, red: float, worse: Callable[[float, float], bool]
) -> SignalRag | None:
    """Red past the red limit, amber past the amber one; `worse` says which side is past."""
    if worse(value, red):
        return "red"
    if worse(value, amber):
        return "amber"
    return None


def _judgement(
    plain: SignalRag | None,
    held: SignalRag | None,
    limits: tuple[float, float],
    held_limits: tuple[float, float],
) -> SignalJudgement | None:
    if held is None:
        return None
    index = 1 if held == "red" else 0
    if held == plain:
        return SignalJudgement(rag=held, limit=limits[index], held=False)
    return SignalJudgement(rag=held, limit=held_limits[index], held=True)
