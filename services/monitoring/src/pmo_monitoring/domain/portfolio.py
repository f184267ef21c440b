"""Portfolio roll-up: sum the money, compute the indices from the sums, count the colours.

Indices come from summed EV, PV and AC (PMI, *The Standard for Earned Value Management*,
2019: EVM data roll up by summation), never from averaged colours or averaged indices, so a
large late project weighs more than a small one. Money in different currencies is never
added up: each currency gets its own totals, and the portfolio's RAG is the worst of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

from pmo_monitoring.domain.earned_value import ratio_or_none
from pmo_monitoring.domain.health_rules import HealthAssessment
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, ProjectBaseline, Rag, Thresholds
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.reasons import Reason, most_severe_first, worst_rag
from pmo_monitoring.domain.signal_reasons import SignalJudge

SUMMED_FIGURES = ("ev", "pv", "ac", "bac", "eac")
"""The earned-value figures a snapshot carries into the roll-up's sums."""


def has_report_figures(figures: Mapping[str, float | None]) -> bool:
    """Whether a project's figures can be summed: EV, PV, AC and BAC known (EAC may not be)."""
    return all(figures.get(name) is not None for name in ("ev", "pv", "ac", "bac"))


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
        return has_report_figures({"ev": self.ev, "pv": self.pv, "ac": self.ac, "bac": self.bac})

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


def first_day_on_time(today: date, thresholds: Thresholds) -> date:
    """The earliest last-report date (the start date before any report) that is not overdue
    today: an open project whose date is earlier has missed a report, as
    `check_report_overdue` judges, and a roll-up counts it amber (see rag_as_of_today)."""
    return today - timedelta(days=thresholds.report_cadence_days + thresholds.report_grace_days)


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

    def __add__(self, other: RagCounts) -> RagCounts:
        return RagCounts(
            green=self.green + other.green,
            amber=self.amber + other.amber,
            red=self.red + other.red,
            unknown=self.unknown + other.unknown,
        )

    def with_overdue(self, *, green: int, unknown: int) -> RagCounts:
        """The counts once so many green and unknown projects have missed a report (amber).

        A missed report is an amber signal (see rag_as_of_today): it turns green and unknown
        amber, and leaves amber and red as they are.
        """
        return replace(
            self,
            green=self.green - green,
            unknown=self.unknown - unknown,
            amber=self.amber + green + unknown,
        )


@dataclass(frozen=True, slots=True)
class CurrencySums:
    """What the reporting projects of one currency add up to, before any index is computed.

    `eac` counts a project whose EAC is unknown at its BAC; `eac_unknown_count` says how many.
    """

    currency: str
    project_count: int
    ev: float
    pv: float
    ac: float
    bac: float
    eac: float
    eac_unknown_count: int = 0


@dataclass(frozen=True, slots=True)
class GroupSums:
    """Counts and sums kept for the projects of one portfolio and programme in one currency."""

    portfolio_id: str | None
    program_id: str | None
    rag_counts: RagCounts
    sums: CurrencySums


def add_up(sums: Iterable[CurrencySums]) -> tuple[CurrencySums, ...]:
    """Sums of the same currency added together (math.fsum, so no rounding error piles up),
    by currency; a currency without any reporting project has no sums."""
    by_currency: dict[str, list[CurrencySums]] = {}
    for item in sums:
        if item.project_count:
            by_currency.setdefault(item.currency, []).append(item)
    return tuple(
        CurrencySums(
            currency=currency,
            project_count=sum(item.project_count for item in items),
            **{name: math.fsum(getattr(item, name) for item in items) for name in SUMMED_FIGURES},
            eac_unknown_count=sum(item.eac_unknown_count for item in items),
        )
        for currency, items in sorted(by_currency.items())
    )


@dataclass(frozen=True, slots=True)
class CurrencyTotals(CurrencySums):
    """Summed figures of the reporting projects in one currency, and indices from the sums.

    The variances and indices are computed from the sums, so they always agree with them;
    `reasons` are the sums judged by the thresholds, and `rag` is the worst of them.
    """

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
    return roll_up_sums(
        _count_rags(snapshots),
        add_up(_sums_of(snapshot) for snapshot in snapshots if snapshot.has_report),
        portfolio_id=portfolio_id,
        thresholds=thresholds,
    )


def roll_up_sums(
    rag_counts: RagCounts,
    sums: Iterable[CurrencySums],
    *,
    portfolio_id: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> PortfolioHealth:
    """Portfolio health from counts and sums kept ahead of time (what `roll_up` computes).

    `sums` may hold several entries per currency (one per portfolio and programme, say):
    they are added up first.
    """
    per_currency = add_up(sums)
    notes: list[str] = []
    if any(item.eac_unknown_count for item in per_currency):
        notes.append(
            phrase(
                "Projects whose forecast cost cannot be computed yet count at their budget in EAC."
            )
        )
    if len(per_currency) > 1:
        notes.append(
            phrase(
                "Projects report in {currencies}; totals are given per currency because "
                "amounts in different currencies are not added up.",
                currencies=", ".join(item.currency for item in per_currency),
            )
        )
    totals = tuple(_currency_totals(item, thresholds) for item in per_currency)
    reasons = most_severe_first(
        replace(
            reason,
            message=phrase(
                "Projects in {currency}: {reason}", currency=total.currency, reason=reason.message
            ),
        )
        if len(totals) > 1
        else reason
        for total in totals
        for reason in total.reasons
    )
    return PortfolioHealth(
        portfolio_id=portfolio_id,
        rag=worst_rag((total.rag for total in totals), default="unknown"),
        rag_counts=rag_counts,
        project_count=rag_counts.total,
        reporting_count=sum(item.project_count for item in per_currency),
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


def _sums_of(snapshot: ProjectHealthSnapshot) -> CurrencySums:
    """A reporting snapshot's own contribution to its currency's sums."""
    return CurrencySums(
        currency=snapshot.currency,
        project_count=1,
        ev=snapshot.ev or 0.0,
        pv=snapshot.pv or 0.0,
        ac=snapshot.ac or 0.0,
        bac=snapshot.bac or 0.0,
        eac=snapshot.eac if snapshot.eac is not None else snapshot.bac or 0.0,
        eac_unknown_count=int(snapshot.eac is None),
    )


def _currency_totals(item: CurrencySums, thresholds: Thresholds) -> CurrencyTotals:
    sums = CurrencyTotals(**{field.name: getattr(item, field.name) for field in fields(item)})
    reasons = SignalJudge(thresholds).performance_reasons(sums, currency=item.currency)
    return replace(sums, reasons=most_severe_first(reasons))


def _count_rags(snapshots: Iterable[ProjectHealthSnapshot]) -> RagCounts:
    counts = {"green": 0, "amber": 0, "red": 0, "unknown": 0}
    for snapshot in snapshots:
        counts[snapshot.rag] += 1
    return RagCounts(**counts)
