"""Inputs of the health rules: a project's baseline, a status report and the thresholds.

Plain frozen dataclasses that check their own invariants, so every rule downstream can rely on
finite, non-negative money and a percentage between 0 and 100 (ValueError otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

Rag = Literal["green", "amber", "red", "unknown"]
SignalRag = Literal["amber", "red"]
ManagerRag = Literal["green", "amber", "red"]

MANAGER_RAGS: frozenset[str] = frozenset({"green", "amber", "red"})
DONE_MILESTONE_STATUS = "done"


def _require_finite_non_negative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class BaselineMilestone:
    """A milestone as planned in the project's baseline."""

    name: str
    due_date: date


@dataclass(frozen=True, slots=True)
class PlannedValuePoint:
    """By `on`, `percent` of the budget (BAC) is planned to be earned (cumulative)."""

    on: date
    percent: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.percent) and 0 <= self.percent <= 100):
            raise ValueError(f"a planned percent must be within 0..100, got {self.percent!r}")
        object.__setattr__(self, "percent", float(self.percent))


@dataclass(frozen=True, slots=True)
class ProjectBaseline:
    """What the project committed to: dates, budget (BAC) and milestones, as owned by intake.

    `planned_value_profile` is the cumulative planned percentage of BAC by date (an S-curve);
    empty means a straight line from start_date to end_date.
    """

    project_id: str
    name: str
    start_date: date
    end_date: date
    budget: float
    milestones: tuple[BaselineMilestone, ...] = ()
    methodology: str = "waterfall"
    manager: str = ""
    sponsor: str | None = None
    portfolio_id: str | None = None
    program_id: str | None = None
    currency: str = "EUR"
    planned_value_profile: tuple[PlannedValuePoint, ...] = ()

    def __post_init__(self) -> None:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        _require_finite_non_negative("budget", self.budget)
        object.__setattr__(self, "budget", float(self.budget))
        object.__setattr__(self, "milestones", tuple(self.milestones))
        object.__setattr__(self, "planned_value_profile", tuple(self.planned_value_profile))
        _check_profile(self.planned_value_profile, self.start_date, self.end_date)


def _check_profile(profile: tuple[PlannedValuePoint, ...], start: date, end: date) -> None:
    # Intake validates the same rules; checking again keeps every curve here non-decreasing,
    # which earned schedule's search relies on.
    for index, point in enumerate(profile):
        if not start <= point.on <= end:
            raise ValueError(f"planned_value_profile[{index}] {point.on} is outside {start}..{end}")
        if index > 0:
            before = profile[index - 1]
            if point.on <= before.on:
                raise ValueError(f"planned_value_profile[{index}]: dates must increase")
            if point.percent < before.percent:
                raise ValueError(f"planned_value_profile[{index}]: percents must not decrease")


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    """A milestone as the project manager reports it; matched to the baseline by name.

    `status` is usually one of planned, in_progress, done or late; only `done` (any case)
    counts as delivered, so a status the rules do not know never hides an overdue milestone.
    """

    name: str
    status: str
    forecast_date: date | None = None

    @property
    def is_done(self) -> bool:
        """Whether the manager reports this milestone as delivered."""
        return self.status.strip().lower() == DONE_MILESTONE_STATUS


@dataclass(frozen=True, slots=True)
class Risk:
    """A risk in a status report: probability 0..1 and impact 1..5."""

    title: str
    probability: float
    impact: int

    def __post_init__(self) -> None:
        if not 0 <= self.probability <= 1:
            raise ValueError(f"probability must be within 0..1, got {self.probability!r}")
        if not 1 <= self.impact <= 5:
            raise ValueError(f"impact must be within 1..5, got {self.impact!r}")


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A project manager's status report as of a date."""

    as_of: date
    percent_complete: float
    actual_cost: float
    milestones: tuple[MilestoneStatus, ...] = ()
    risks: tuple[Risk, ...] = ()
    manager_rag: ManagerRag | None = None
    summary: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.percent_complete) and 0 <= self.percent_complete <= 100):
            raise ValueError(
                f"percent_complete must be within 0..100, got {self.percent_complete!r}"
            )
        _require_finite_non_negative("actual_cost", self.actual_cost)
        object.__setattr__(self, "percent_complete", float(self.percent_complete))
        object.__setattr__(self, "actual_cost", float(self.actual_cost))
        if self.manager_rag is not None and self.manager_rag not in MANAGER_RAGS:
            raise ValueError(f"manager_rag must be green, amber or red, got {self.manager_rag!r}")
        object.__setattr__(self, "milestones", tuple(self.milestones))
        object.__setattr__(self, "risks", tuple(self.risks))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Tolerances of the health rules; defaults are ARCHITECTURE.md's table.

    Index thresholds are "below": amber when CPI/SPI < *_amber, red when < *_red. EAC ratios
    are "above": amber when EAC > BAC x eac_amber_ratio, red when > BAC x eac_red_ratio.
    """

    cpi_amber: float = 0.95
    cpi_red: float = 0.90
    spi_amber: float = 0.95
    spi_red: float = 0.90
    eac_amber_ratio: float = 1.05
    eac_red_ratio: float = 1.10
    milestone_red_days_late: int = 14
    report_cadence_days: int = 14
    report_grace_days: int = 3

    def __post_init__(self) -> None:
        for index in ("cpi", "spi"):
            amber = getattr(self, f"{index}_amber")
            red = getattr(self, f"{index}_red")
            if not (0 < red <= amber):
                raise ValueError(f"{index} thresholds need 0 < red <= amber, got {red}, {amber}")
        if not (0 < self.eac_amber_ratio <= self.eac_red_ratio):
            raise ValueError(
                "EAC ratios need 0 < amber <= red, got "
                f"{self.eac_amber_ratio}, {self.eac_red_ratio}"
            )
        if self.milestone_red_days_late < 0 or self.report_grace_days < 0:
            raise ValueError("day thresholds must be >= 0")
        if self.report_cadence_days < 1:
            raise ValueError("report_cadence_days must be >= 1")

    @classmethod
    def from_overrides(
        cls, overrides: Mapping[str, object] | None, base: Thresholds | None = None
    ) -> Thresholds:
        """Thresholds from a methodology's overrides on top of `base` (default: the table).

        Keys are this class's field names. Unknown keys are ignored, because methodologies in
        standards may carry tolerances monitoring has no rule for; a key whose value is None
        keeps the base value. A known key with a non-numeric value, a fractional day count or
        an inconsistent result (e.g. red above amber) raises ValueError: the caller should then
        keep the defaults and say so, rather than assess with a broken rule.
        """
        start = base if base is not None else cls()
        given = {
            key: value
            for key, value in (overrides or {}).items()
            if key in _FIELD_NAMES and value is not None
        }

        def ratio(key: str) -> float:
            return _as_float(key, given[key]) if key in given else float(getattr(start, key))

        def days(key: str) -> int:
            return _as_days(key, given[key]) if key in given else int(getattr(start, key))

        return cls(
            cpi_amber=ratio("cpi_amber"),
            cpi_red=ratio("cpi_red"),
            spi_amber=ratio("spi_amber"),
            spi_red=ratio("spi_red"),
            eac_amber_ratio=ratio("eac_amber_ratio"),
            eac_red_ratio=ratio("eac_red_ratio"),
            milestone_red_days_late=days("milestone_red_days_late"),
            report_cadence_days=days("report_cadence_days"),
            report_grace_days=days("report_grace_days"),
        )


_FIELD_NAMES = frozenset(f.name for f in fields(Thresholds))


def _as_float(key: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(f"threshold {key} must be a finite number, got {raw!r}")
    return float(raw)


def _as_days(key: str, raw: object) -> int:
    value = _as_float(key, raw)
    if value != int(value):
        raise ValueError(f"threshold {key} must be a whole number of days, got {raw!r}")
    return int(value)


DEFAULT_THRESHOLDS = Thresholds()
