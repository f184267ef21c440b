"""Portfolio roll-up: sum the money, compute the indices from the sums, count the colours.

Indices come from summed EV, PV and AC (PMI, *The Standard for Earned Value Management*,
2019: EVM data roll up by summation), never from averaged colours or averaged indices, so a
large late project weighs more than a small one. Money in different currencies is never
added up: each currency gets its own totals, and the portfolio's RAG is the worst of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pmo_monitoring.domain.earned_value import ratio_or_none
from pmo_monitoring.domain.health_rules import HealthAssessment
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, ProjectBaseline, Rag, Thresholds
from pmo_monitoring.domain.reasons import Reason, most_severe_first, worst_rag
from pmo_monitoring.domain.signal_reasons import SignalJudge

SUMMED_FIGURES = ("ev", "pv", "ac", "bac", "eac")
"""The earned-value figures a snapshot carries into the roll-up's sums."""


@dataclass(frozen=True, slots=True)
class ProjectHealthSnapshot:
    """A project's latest health as stored by monitoring; money fields None without a report."""

    project_id: str
    rag: Rag
    currency: str
    portfolio_id: str | None = None
    ev: float | None = None
    pv: float | None = None
    ac: float | None = None
    bac: float | None = None
    eac: float | None = None

    @property
    def has_report(self) -> bool:
        """Whether the snapshot carries earned-value figures to sum."""
        return None not in (self.ev, self.pv, self.ac, self.bac)

    @classmethod
    def from_assessment(
        cls, baseline: ProjectBaseline, assessment: HealthAssessment
    ) -> ProjectHealthSnapshot:
        """The snapshot of a fresh assessment of `baseline`."""
        metrics = assessment.metrics
        figures = (
            {} if metrics is None else {name: getattr(metrics, name) for name in SUMMED_FIGURES}
        )
        return cls(
            project_id=baseline.project_id,
            rag=assessment.rag,
            currency=baseline.currency,
            portfolio_id=baseline.portfolio_id,
            **figures,
        )


@dataclass(frozen=True, slots=True)
class RagCounts:
    """How many projects are in each RAG."""

    green: int = 0
    amber: int = 0
    red: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        """All projects counted."""
        return self.green + self.amber + self.red + self.unknown


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    """Summed figures of the reporting projects in one currency, and indices from the sums.

    The variances and indices are computed from the sums, so they always agree with them;
    `reasons` are the sums judged by the thresholds, and `rag` is the worst of them.
    """

    currency: str
    project_count: int
    ev: float
    pv: float
    ac: float
    bac: float
    eac: float
    reasons: tuple[Reason, ...] = ()

    @property
    def cv(self) -> float:
        """Cost variance, EV - AC."""
        return self.ev - self.ac

    @property
    def sv(self) -> float:
        """Schedule variance, EV - PV."""
        return self.ev - self.pv

    @property
    def vac(self) -> float:
        """Variance at completion, BAC - EAC."""
        return self.bac - self.eac

    @property
    def cpi(self) -> float | None:
        """Cost performance index, EV / AC (None when nothing is spent)."""
        return ratio_or_none(self.ev, self.ac)

    @property
    def spi(self) -> float | None:
        """Schedule performance index, EV / PV (None when nothing is planned)."""
        return ratio_or_none(self.ev, self.pv)

    @property
    def rag(self) -> Rag:
        """The worst colour of the reasons; green without any."""
        return worst_rag((reason.rag for reason in self.reasons), default="green")


@dataclass(frozen=True, slots=True)
class PortfolioHealth:
    """Health of a set of projects (a portfolio, or all projects when portfolio_id is None).

    `rag` is judged from the summed indices only (unknown when no project has reported), so
    a portfolio can be green while `rag_counts` shows a red project in it.
    """

    portfolio_id: str | None
    rag: Rag
    rag_counts: RagCounts
    project_count: int
    reporting_count: int
    totals: tuple[CurrencyTotals, ...]
    reasons: tuple[Reason, ...]
    notes: tuple[str, ...] = ()

    @property
    def single_currency_totals(self) -> CurrencyTotals | None:
        """The totals when every reporting project uses one currency, else None."""
        return self.totals[0] if len(self.totals) == 1 else None


def roll_up(
    items: Iterable[ProjectHealthSnapshot],
    *,
    portfolio_id: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> PortfolioHealth:
    """Roll project snapshots up into portfolio health.

    Projects without a report are counted but left out of the sums. A reporting project
    whose EAC is unknown (no cost or nothing earned yet) adds its BAC to the summed EAC.
    """
    snapshots = tuple(items)
    reporting = [snapshot for snapshot in snapshots if snapshot.has_report]
    notes: list[str] = []
    if any(snapshot.eac is None for snapshot in reporting):
        notes.append(
            "Projects whose forecast cost cannot be computed yet count at their budget in EAC."
        )
    currencies = sorted({snapshot.currency for snapshot in reporting})
    if len(currencies) > 1:
        notes.append(
            f"Projects report in {', '.join(currencies)}; totals are given per currency "
            "because amounts in different currencies are not added up."
        )
    totals = tuple(
        _currency_totals(
            currency,
            [snapshot for snapshot in reporting if snapshot.currency == currency],
            thresholds,
        )
        for currency in currencies
    )
    reasons = most_severe_first(
        replace(reason, message=f"Projects in {total.currency}: {reason.message}")
        if len(totals) > 1
        else reason
        for total in totals
        for reason in total.reasons
    )
    return PortfolioHealth(
        portfolio_id=portfolio_id,
        rag=worst_rag((total.rag for total in totals), default="unknown"),
        rag_counts=_count_rags(snapshots),
        project_count=len(snapshots),
        reporting_count=len(reporting),
        totals=totals,
        reasons=reasons,
        notes=tuple(notes),
    )


def group_by_portfolio(
    items: Iterable[ProjectHealthSnapshot],
) -> dict[str | None, tuple[ProjectHealthSnapshot, ...]]:
    """Snapshots grouped by portfolio_id (None for projects outside any portfolio)."""
    groups: dict[str | None, list[ProjectHealthSnapshot]] = {}
    for snapshot in items:
        groups.setdefault(snapshot.portfolio_id, []).append(snapshot)
    return {key: tuple(group) for key, group in groups.items()}


def roll_up_by_portfolio(
    items: Iterable[ProjectHealthSnapshot], *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[str | None, PortfolioHealth]:
    """One roll-up per portfolio_id."""
    return {
        key: roll_up(group, portfolio_id=key, thresholds=thresholds)
        for key, group in group_by_portfolio(items).items()
    }


def _currency_totals(
    currency: str, snapshots: list[ProjectHealthSnapshot], thresholds: Thresholds
) -> CurrencyTotals:
    ev = sum(snapshot.ev or 0.0 for snapshot in snapshots)
    pv = sum(snapshot.pv or 0.0 for snapshot in snapshots)
    ac = sum(snapshot.ac or 0.0 for snapshot in snapshots)
    bac = sum(snapshot.bac or 0.0 for snapshot in snapshots)
    eac = sum(
        snapshot.eac if snapshot.eac is not None else snapshot.bac or 0.0 for snapshot in snapshots
    )
    sums = CurrencyTotals(
        currency=currency, project_count=len(snapshots), ev=ev, pv=pv, ac=ac, bac=bac, eac=eac
    )
    reasons = SignalJudge(thresholds).performance_reasons(sums, currency=currency)
    return replace(sums, reasons=most_severe_first(reasons))


def _count_rags(snapshots: Iterable[ProjectHealthSnapshot]) -> RagCounts:
    counts = {"green": 0, "amber": 0, "red": 0, "unknown": 0}
    for snapshot in snapshots:
        counts[snapshot.rag] += 1
    return RagCounts(**counts)
