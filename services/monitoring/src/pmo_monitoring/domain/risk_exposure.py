"""Risk exposure: probability x impact, summed, and the largest named; from a status report
or, once a project keeps risks there, from its RAID register."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from pmo_monitoring.domain.model import Risk
from pmo_monitoring.domain.value_records import value_record

TOP_RISKS = 3


@value_record
class RiskScore:
    """One risk's exposure = probability (0..1) x impact (1..5), so 0..5."""

    title: str
    probability: float
    impact: int
    exposure: float


@value_record
class RiskExposure:
    """A report's risks, highest exposure first, their total and the top ones named.

    The total is an expected-impact score on the 1..5 scale summed over risks, not money: the
    report gives impact as a rating, so the figure ranks and trends, it does not price.
    """

    risks: tuple[RiskScore, ...]
    total: float
    top: tuple[RiskScore, ...]

    @property
    def top_titles(self) -> tuple[str, ...]:
        """Titles of the top risks, highest exposure first."""
        return tuple(score.title for score in self.top)


def risk_exposure(risks: Iterable[Risk], *, top: int = TOP_RISKS) -> RiskExposure:
    """Score each risk and name the `top` highest; ties keep the report's order."""
    scores = [
        RiskScore(risk.title, risk.probability, risk.impact, risk.probability * risk.impact)
        for risk in risks
    ]
    # Highest first; sorted() is stable with reverse=True too, so ties keep the report's order.
    ranked = tuple(sorted(scores, key=_exposure, reverse=True))
    return RiskExposure(risks=ranked, total=sum(map(_exposure, ranked)), top=ranked[: max(top, 0)])


_exposure = attrgetter("exposure")


def register_exposure(
    open_risks: Iterable[Risk], *, register_has_risks: bool
) -> RiskExposure | None:
    """The exposure in force when the project keeps a RAID register (docs/adr/0025).

    Once a project has any risk in its register, the exposure is that of the register's open
    risks (mitigated and closed ones no longer count), whatever its reports typed in: the
    register is where risks are kept up to date. None while the register holds no risk: the
    latest report's risks stand, as they always have.
    """
    if not register_has_risks:
        return None
    return risk_exposure(open_risks)
