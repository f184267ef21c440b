"""Baseline variance: the original baseline against the one in force against the forecast.

What was promised first (version 1), what is promised now (the baseline in force) and where
the project is heading (the EAC and the earned-schedule forecast end of its latest health),
for the budget, the end date and each milestone, with the differences between the three:
an amount for money, days for dates. A difference is None where one side is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.model import BaselineMilestone

MONEY_DECIMALS = 2
"""Differences of money are rounded to cents, so 150000 - 100000.1 reads 49999.9."""


@dataclass(frozen=True, slots=True)
class BaselinePlan:
    """The compared part of one baseline version: budget, end date and milestones."""

    version: int
    budget: float
    end_date: date
    milestones: tuple[BaselineMilestone, ...]


def _minus(later: float | None, earlier: float | None) -> float | None:
    if later is None or earlier is None:
        return None
    return round(later - earlier, MONEY_DECIMALS)


def _days(later: date | None, earlier: date | None) -> int | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).days


@dataclass(frozen=True, slots=True)
class AmountVariance:
    """An amount in the original baseline, the one in force and the forecast (None: none yet).
    Each difference is the later minus the earlier: positive means more money."""

    original: float
    current: float
    forecast: float | None

    @property
    def current_vs_original(self) -> float | None:
        """How much the re-baselines added (current - original)."""
        return _minus(self.current, self.original)

    @property
    def forecast_vs_current(self) -> float | None:
        """How far the forecast overruns the baseline in force (forecast - current)."""
        return _minus(self.forecast, self.current)

    @property
    def forecast_vs_original(self) -> float | None:
        """How far the forecast overruns the original promise (forecast - original)."""
        return _minus(self.forecast, self.original)


@dataclass(frozen=True, slots=True)
class DateVariance:
    """A date in the original baseline, the one in force and the forecast (each None where
    there is none: a milestone added or removed by a re-baseline, no forecast yet). Each
    difference is in days, the later minus the earlier: positive means later."""

    original: date | None
    current: date | None
    forecast: date | None

    @property
    def current_vs_original_days(self) -> int | None:
        """Days the re-baselines moved it (current - original)."""
        return _days(self.current, self.original)

    @property
    def forecast_vs_current_days(self) -> int | None:
        """Days the forecast is behind the baseline in force (forecast - current)."""
        return _days(self.forecast, self.current)

    @property
    def forecast_vs_original_days(self) -> int | None:
        """Days the forecast is behind the original promise (forecast - original)."""
        return _days(self.forecast, self.original)


@dataclass(frozen=True, slots=True)
class MilestoneVariance:
    """One milestone's due dates and forecast, matched by name across the versions."""

    name: str
    due: DateVariance


@dataclass(frozen=True, slots=True)
class BaselineVariance:
    """The whole comparison: which versions, budget, end date and milestones."""

    original_version: int
    current_version: int
    budget: AmountVariance
    end_date: DateVariance
    milestones: tuple[MilestoneVariance, ...]


def _milestone_variances(
    original: tuple[BaselineMilestone, ...],
    current: tuple[BaselineMilestone, ...],
    forecasts: Mapping[str, date],
) -> tuple[MilestoneVariance, ...]:
    """Every milestone of either version: those in force by due date, then those the
    re-baselines removed by their original due date."""
    first = {milestone.name: milestone.due_date for milestone in original}
    now = {milestone.name: milestone.due_date for milestone in current}
    in_force = sorted(now, key=lambda name: (now[name], name))
    removed = sorted(set(first) - set(now), key=lambda name: (first[name], name))
    return tuple(
        MilestoneVariance(
            name,
            DateVariance(
                original=first.get(name),
                current=now.get(name),
                # A forecast is of a milestone in force; a removed one has none.
                forecast=forecasts.get(name) if name in now else None,
            ),
        )
        for name in [*in_force, *removed]
    )


def baseline_variance(
    original: BaselinePlan,
    current: BaselinePlan,
    *,
    forecast_budget: float | None,
    forecast_end: date | None,
    milestone_forecasts: Mapping[str, date],
) -> BaselineVariance:
    """Compare the original baseline, the one in force and the forecast: `forecast_budget` is
    the EAC, `forecast_end` the forecast end date, `milestone_forecasts` the forecast date of
    each milestone that has one, by name (None and empty where there is no forecast yet)."""
    return BaselineVariance(
        original_version=original.version,
        current_version=current.version,
        budget=AmountVariance(original.budget, current.budget, forecast_budget),
        end_date=DateVariance(original.end_date, current.end_date, forecast_end),
        milestones=_milestone_variances(
            original.milestones, current.milestones, milestone_forecasts
        ),
    )
