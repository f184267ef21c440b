"""Request and response bodies of demand management: scoring models, scores, reviews, budget
envelopes and scenarios (the input models are re-exported by `api/schemas.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pmo_common.web.inputs import Number, PlainName, StrictInput, documented_examples
from pmo_common.web.schemas import OutputModel
from pydantic import Field

from pmo_intake.api.field_types import Amount, Identifier, Key, Reason
from pmo_intake.domain.portfolio_selection import Dependency
from pmo_intake.domain.scoring import MAX_CRITERIA, Criterion

MAX_SCENARIO_ITEMS = 2000
MAX_CATEGORIES = 20
Weight = Annotated[Number, Field(gt=0, le=1e6)]
ScaleEnd = Annotated[Number, Field(ge=-1e6, le=1e6)]
Quantity = Annotated[Number, Field(ge=0, le=1e13)]

CRITERIA_EXAMPLE: list[dict[str, Any]] = [
    {"key": "value", "name": "Business value", "weight": 3, "direction": "higher"},
    {"key": "alignment", "name": "Strategic alignment", "weight": 2},
    {"key": "risk", "name": "Delivery risk", "weight": 1, "direction": "lower"},
]


class CriterionIn(StrictInput):
    """A criterion reviewers rate on [scale_min, scale_max]; `lower` when less is better."""

    model_config = documented_examples(
        {"key": "risk", "name": "Delivery risk", "weight": 1, "direction": "lower"}
    )

    key: Key
    name: PlainName
    weight: Weight
    scale_min: ScaleEnd = 1
    scale_max: ScaleEnd = 5
    direction: Literal["higher", "lower"] = "higher"

    def criterion(self) -> Criterion:
        """The domain's criterion."""
        return Criterion(**self.model_dump())


class ScoringModelIn(StrictInput):
    """A scoring model: 1 to 20 weighted criteria with unique keys."""

    model_config = documented_examples({"name": "Growth 2027", "criteria": CRITERIA_EXAMPLE})

    name: PlainName
    criteria: list[CriterionIn] = Field(min_length=1, max_length=MAX_CRITERIA)

    def domain_criteria(self) -> list[Criterion]:
        """The criteria as the domain states them."""
        return [criterion.criterion() for criterion in self.criteria]


class ScoresIn(StrictInput):
    """The caller's own value for every criterion of the portfolio's scoring model."""

    model_config = documented_examples({"criteria": {"value": 4, "alignment": 5, "risk": 2}})

    criteria: dict[Key, Number] = Field(max_length=MAX_CRITERIA)


class RequestReturn(StrictInput):
    """What the requester must rework before submitting again."""

    model_config = documented_examples(
        {"comment": "Split the rollout per warehouse and cost each phase."}
    )

    comment: Reason


class RequestRejection(StrictInput):
    """Why the PMO rejects the request (required)."""

    model_config = documented_examples({"reason": "Overlaps the ERP programme already funded."})

    reason: Reason


class BudgetIn(StrictInput):
    """What the portfolio may commit to projects starting in the year."""

    model_config = documented_examples({"amount": 5000000})

    amount: Amount


class DependencyIn(StrictInput):
    """`request_id` may be selected only if `requires` is selected too."""

    model_config = documented_examples(
        {
            "request_id": "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
            "requires": "0a1b2c3d-4e5f-4a7b-8c9d-6f1c2d3e4b5a",
        }
    )

    request_id: Identifier
    requires: Identifier


class ScenarioIn(StrictInput):
    """A what-if over the portfolio's scored requests: the caps, each request's demand per
    resource category, what must or must not be chosen, and which request needs which."""

    model_config = documented_examples(
        {
            "budget_cap": 2000000,
            "capacity": {"engineers": 12, "architects": 2},
            "demands": {"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f": {"engineers": 5, "architects": 1}},
            "must_include": [],
            "must_exclude": [],
            "dependencies": [],
        },
        {},
    )

    budget_cap: Amount | None = Field(
        default=None,
        description="Defaults to what this year's budget envelope of the portfolio has left",
    )
    capacity: dict[Key, Quantity] = Field(default_factory=dict, max_length=MAX_CATEGORIES)
    demands: dict[Identifier, Annotated[dict[Key, Quantity], Field(max_length=MAX_CATEGORIES)]] = (
        Field(
            default_factory=dict,
            max_length=MAX_SCENARIO_ITEMS,
            description="Per request, its demand of categories `capacity` caps (422 for others)",
        )
    )
    must_include: list[Identifier] = Field(default_factory=list, max_length=MAX_SCENARIO_ITEMS)
    must_exclude: list[Identifier] = Field(default_factory=list, max_length=MAX_SCENARIO_ITEMS)
    dependencies: list[DependencyIn] = Field(default_factory=list, max_length=MAX_SCENARIO_ITEMS)

    def requirements(self) -> tuple[Dependency, ...]:
        """The dependencies as the domain states them."""
        return tuple(Dependency(d.request_id, d.requires) for d in self.dependencies)


class CriterionOut(OutputModel):
    """A criterion of a scoring model."""

    key: str
    name: str
    weight: float
    scale_min: float
    scale_max: float
    direction: str


class ScoringModelOut(OutputModel):
    """A scoring model at its current version (or at the version asked for)."""

    id: str
    name: str
    criteria: list[CriterionOut]
    version: int
    created_at: datetime
    updated_at: datetime


class CriterionScoreOut(OutputModel):
    """One criterion of a request's score: the reviewers' mean raw and normalised (0-1, 1
    best) values, and the points it adds to the score."""

    key: str
    mean_value: float
    normalised: float
    contribution: float


class TransitionOut(OutputModel):
    """One step of a request's history."""

    action: str
    from_status: str | None
    to_status: str
    actor: str
    comment: str | None
    at: datetime


class BudgetOut(OutputModel):
    """A portfolio's budget envelope for a year and what the registry commits of it (the
    budgets of the portfolio's projects starting that year)."""

    portfolio_id: str
    year: int
    amount: float
    committed: float
    remaining: float
    updated_by: str
    updated_at: datetime


class DependencyOut(OutputModel):
    """`request_id` may be selected only if `requires` is."""

    request_id: str
    requires: str


class FrontierPointOut(OutputModel):
    """The best total score `budget` buys."""

    budget: float
    score: float


class ScenarioOut(OutputModel):
    """A scenario: what was asked, the optimal selection (ranked, best score first), what a
    greedy pick by score per cost would score, and the efficient frontier."""

    id: str
    portfolio_id: str
    budget_cap: float
    capacity: dict[str, float]
    demands: dict[str, dict[str, float]]
    must_include: list[str]
    must_exclude: list[str]
    dependencies: list[DependencyOut]
    selected: list[str]
    total_score: float
    total_cost: float
    greedy_score: float
    optimal: bool
    frontier: list[FrontierPointOut]
    status: Literal["proposed", "committed"]
    created_by: str
    created_at: datetime
    committed_by: str | None
    committed_at: datetime | None
