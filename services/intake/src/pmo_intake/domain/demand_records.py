"""Intake's records of demand management: a request's history, budget envelopes, scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pmo_intake.domain.portfolio_selection import Dependency, FrontierPoint


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestTransition:
    """One step in a request's life: who did what, from which state to which, and why."""

    request_id: str
    action: str
    from_status: str | None
    to_status: str
    actor: str
    comment: str | None = None
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewerScores:
    """One reviewer's values for a request, under the version of the model they scored with."""

    request_id: str
    reviewer: str
    model_id: str
    model_version: int
    criteria: Mapping[str, float]
    scored_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetEnvelope:
    """What a portfolio may spend on projects starting in a fiscal (calendar) year, and what
    the projects of the registry starting that year already commit."""

    portfolio_id: str
    year: int
    amount: float
    committed: float = 0.0
    updated_by: str
    updated_at: datetime

    @property
    def remaining(self) -> float:
        """What is left to commit (negative when the envelope is overspent)."""
        return self.amount - self.committed


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A stored what-if over a portfolio's scored requests: the constraints it was asked with
    and the selection that answers them (`selected` in ranked order, best score first)."""

    id: str
    portfolio_id: str
    budget_cap: float
    capacity: Mapping[str, float]
    demands: Mapping[str, Mapping[str, float]]
    must_include: tuple[str, ...]
    must_exclude: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    selected: tuple[str, ...]
    total_score: float
    total_cost: float
    greedy_score: float
    optimal: bool
    frontier: tuple[FrontierPoint, ...]
    status: str = "proposed"
    created_by: str
    created_at: datetime
    committed_by: str | None = None
    committed_at: datetime | None = None
