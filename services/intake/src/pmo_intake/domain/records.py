"""Intake's typed records: what the repositories return and the use cases work on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from pmo_intake.domain.scoring import CriterionScore


@dataclass(frozen=True, slots=True)
class MilestonePlan:
    """A milestone of the baseline."""

    name: str
    due_date: date

    def as_json(self) -> dict[str, object]:
        """The milestone as the registry stores it and its events carry it."""
        return {"name": self.name, "due_date": self.due_date.isoformat()}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> MilestonePlan:
        """The milestone `as_json` wrote."""
        return cls(stored["name"], date.fromisoformat(stored["due_date"]))


@dataclass(frozen=True, slots=True)
class PlannedValuePoint:
    """By `on`, `percent` of the budget is planned to be earned."""

    on: date
    percent: float

    def as_json(self) -> dict[str, object]:
        """The point as the registry stores it, its events carry it and the API shows it."""
        return {"date": self.on.isoformat(), "percent": self.percent}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> PlannedValuePoint:
        """The point `as_json` wrote."""
        return cls(date.fromisoformat(stored["date"]), float(stored["percent"]))


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a project is planned to be: the fields its owners set and change."""

    name: str
    manager: str
    sponsor: str | None
    methodology: str
    start_date: date
    end_date: date
    budget: float
    currency: str
    milestones: tuple[MilestonePlan, ...]
    planned_value_profile: tuple[PlannedValuePoint, ...]
    portfolio_id: str | None
    program_id: str | None
    external_ref: str | None


BASELINE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Baseline))


@dataclass(frozen=True, slots=True, kw_only=True)
class Project(Baseline):
    """A project of the registry: its baseline and where it stands (a new one: active, at its
    first version, not closed)."""

    id: str
    status: str = "active"
    version: int = 1
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    close_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectRequest:
    """A proposal for a new project; `proposal` is the project as the requester described it
    (a new one: a draft, nothing decided, no project yet, not scored). `portfolio_id` is the
    proposal's, kept apart so a portfolio's requests are found without reading every proposal."""

    id: str
    title: str
    business_case: str | None
    requested_by: str
    proposal: Mapping[str, object]
    status: str = "draft"
    decided_by: str | None = None
    decision_comment: str | None = None
    project_id: str | None = None
    portfolio_id: str | None = None
    score: float | None = None
    score_breakdown: tuple[CriterionScore, ...] = ()
    score_spread: float | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Portfolio:
    """A portfolio of projects and programmes; its requests are scored with its scoring model."""

    id: str
    name: str
    owner: str
    description: str | None
    created_at: datetime
    scoring_model_id: str | None = None


@dataclass(frozen=True, slots=True)
class Program:
    """A programme, optionally within a portfolio."""

    id: str
    name: str
    owner: str
    portfolio_id: str | None
    description: str | None
    created_at: datetime
