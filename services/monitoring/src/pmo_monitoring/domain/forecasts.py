"""Cost forecasts at completion: the three standard EAC variants, their ETCs and the TCPIs.

PMI, *Practice Standard for Earned Value Management*, 2nd ed. (2011), ch. 6 and *The Standard
for Earned Value Management* (2019): EAC = BAC / CPI (future work at today's cost efficiency),
EAC = AC + (BAC - EV) (the overrun so far was atypical; the rest goes to budget) and
EAC = AC + (BAC - EV) / (CPI x SPI) (cost and schedule pressure both persist); ETC = EAC - AC;
TCPI = (BAC - EV) / (BAC - AC) to finish within BAC, (BAC - EV) / (EAC - AC) to finish at EAC.
"""

from __future__ import annotations

import math
from typing import Any

from pmo_monitoring.domain.copying import fields_of
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.ratios import ratio_or_none
from pmo_monitoring.domain.value_records import value_record


@value_record
class CostForecasts:
    """EAC variants with their ETCs and the to-complete indices; None where not computable."""

    eac_cpi: float | None
    eac_atypical: float
    eac_composite: float | None
    etc_cpi: float | None
    etc_atypical: float
    etc_composite: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None
    notes: tuple[str, ...] = ()

    def figures(self) -> dict[str, Any]:
        """The EACs, ETCs and TCPIs by name (`EarnedValueMetrics` has fields of these names)."""
        return {name: value for name, value in fields_of(self).items() if name != "notes"}


def to_complete_performance_index(
    *, bac: float, ev: float, ac: float, target: float
) -> float | None:
    """TCPI = (BAC - EV) / (target - AC): cost efficiency needed on the rest to finish at `target`.

    `target` is BAC for TCPI to BAC, or any EAC (a manager's estimate too) for TCPI to EAC.
    """
    return ratio_or_none(bac - ev, target - ac)


ForecastFigures = tuple[
    float | None, float, float | None, float | None, float, float | None, float | None, float | None
]
"""`CostForecasts`' figures in its field order: EAC, ETC (CPI, atypical, composite), TCPIs."""


def cost_forecasts(
    *, bac: float, ev: float, ac: float, cpi: float | None, spi: float | None
) -> CostForecasts:
    """The EAC variants of a report's figures, with a note for each variant left empty.

    The CPI-based EAC is the primary one (it is `EarnedValueMetrics.eac`); its empty cases are
    explained by compute_earned_value's own notes, so they are not repeated here. TCPI to this
    EAC equals CPI by construction, (BAC - EV) / (BAC / CPI - AC) = CPI, and is kept because a
    TCPI to another EAC (an estimate, the composite) is read against it.
    """
    notes: list[str] = []
    figures = forecast_figures(bac, ev, ac, cpi, spi, notes)
    return CostForecasts(*figures, notes=tuple(notes))


def forecast_figures(
    bac: float, ev: float, ac: float, cpi: float | None, spi: float | None, notes: list[str]
) -> ForecastFigures:
    """`cost_forecasts` as a plain tuple, its notes appended to `notes`.

    The earned-value metrics of every report are built from it, so it creates no record of
    its own.
    """
    remaining = bac - ev
    eac_cpi = None if cpi is None else ratio_or_none(bac, cpi)
    efficiency = None if cpi is None or spi is None else cpi * spi
    composite_etc = None if efficiency is None else ratio_or_none(remaining, efficiency)
    if composite_etc is None and eac_cpi is not None:
        why = (
            phrase("SPI is not known yet")
            if spi is None
            else phrase("cost and schedule performance are too low")
        )
        notes.append(
            phrase("The composite EAC (using CPI x SPI) cannot be computed: {why}.", why=why)
        )
    tcpi_eac = None
    if eac_cpi is not None:
        tcpi_eac = to_complete_performance_index(bac=bac, ev=ev, ac=ac, target=eac_cpi)
        if tcpi_eac is None:
            notes.append(phrase("TCPI to EAC cannot be computed: the work is complete."))
    return (
        eac_cpi,
        ac + remaining,
        None if composite_etc is None else _finite_or_none(ac + composite_etc),
        None if eac_cpi is None else eac_cpi - ac,
        remaining,
        composite_etc,
        to_complete_performance_index(bac=bac, ev=ev, ac=ac, target=bac),
        tcpi_eac,
    )


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
