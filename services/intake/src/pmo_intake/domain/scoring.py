"""Scoring models and the score of a request: weighted, normalised criteria averaged over
reviewers (no I/O).

A value v on a criterion's scale [min, max] normalises to (v - min) / (max - min) when higher
is better and to (max - v) / (max - min) when lower is better (a risk). A reviewer's total is
100 x sum(weight x normalised) / sum(weight); the request's score is the mean of the reviewers'
totals, and its spread the range (max - min) of those totals: with the two to five reviewers a
request has, a range reads plainly ("they disagree by 30 points") where a standard deviation
would not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pmo_intake.domain.rule_violations import RuleViolation

MAX_CRITERIA = 20
DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion of a scoring model: reviewers rate it on [scale_min, scale_max]."""

    key: str
    name: str
    weight: float
    scale_min: float = 1
    scale_max: float = 5
    direction: str = "higher"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringModel:
    """Weighted criteria a portfolio scores its requests with; `version` rises on each change."""

    id: str
    name: str
    criteria: tuple[Criterion, ...]
    version: int = 1
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion in a request's score: the reviewers' mean raw and normalised values and
    the points it contributes to the 0-100 score (the contributions add up to the score)."""

    key: str
    mean_value: float
    normalised: float
    contribution: float


@dataclass(frozen=True, slots=True)
class RequestScore:
    """A request's score (0-100), its breakdown by criterion and the reviewers' spread."""

    score: float
    breakdown: tuple[CriterionScore, ...]
    spread: float
    reviewers: int


def check_criteria(criteria: Sequence[Criterion]) -> list[RuleViolation]:
    """Every way the criteria break a model's rules (empty when they are sound)."""
    violations: list[RuleViolation] = []
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        violations.append(RuleViolation("criteria", f"needs 1 to {MAX_CRITERIA} criteria"))
    seen: set[str] = set()
    for index, criterion in enumerate(criteria):
        field = f"criteria.{index}"
        if criterion.key in seen:
            violations.append(RuleViolation(f"{field}.key", f"'{criterion.key}' appears twice"))
        seen.add(criterion.key)
        if criterion.weight <= 0:
            violations.append(RuleViolation(f"{field}.weight", "must be greater than 0"))
        if criterion.scale_min >= criterion.scale_max:
            violations.append(RuleViolation(f"{field}.scale_max", "must be above scale_min"))
        if criterion.direction not in DIRECTIONS:
            violations.append(RuleViolation(f"{field}.direction", "must be higher or lower"))
    return violations


def check_scores(criteria: Sequence[Criterion], values: Mapping[str, float]) -> list[RuleViolation]:
    """Every way one reviewer's values fail the model: each criterion once, within its scale."""
    violations: list[RuleViolation] = []
    keys = {criterion.key for criterion in criteria}
    for key in sorted(set(values) - keys):
        violations.append(RuleViolation(f"criteria.{key}", "is no criterion of the model"))
    for criterion in criteria:
        value = values.get(criterion.key)
        if value is None:
            violations.append(RuleViolation(f"criteria.{criterion.key}", "is required"))
        elif not criterion.scale_min <= value <= criterion.scale_max:
            violations.append(
                RuleViolation(
                    f"criteria.{criterion.key}",
                    f"must be between {criterion.scale_min:g} and {criterion.scale_max:g}",
                )
            )
    return violations


def _covers(criteria: Sequence[Criterion], values: Mapping[str, float]) -> bool:
    # Values of criteria the model no longer has do not disqualify a review.
    return all(c.key in values and c.scale_min <= values[c.key] <= c.scale_max for c in criteria)


def normalised(criterion: Criterion, value: float) -> float:
    """The value on a 0-1 scale where 1 is best (a `lower` criterion counts down)."""
    span = criterion.scale_max - criterion.scale_min
    if criterion.direction == "lower":
        return (criterion.scale_max - value) / span
    return (value - criterion.scale_min) / span


def reviewer_total(criteria: Sequence[Criterion], values: Mapping[str, float]) -> float:
    """One reviewer's 0-100 score: the weighted mean of their normalised values."""
    total_weight = sum(criterion.weight for criterion in criteria)
    weighted = sum(c.weight * normalised(c, values[c.key]) for c in criteria)
    return 100 * weighted / total_weight


def score_request(
    criteria: Sequence[Criterion], reviews: Sequence[Mapping[str, float]]
) -> RequestScore | None:
    """The request's score from the reviews that fit the model (None when none does).

    A review given under an earlier version of the model counts while it still covers every
    criterion within its scale: a change of weights re-weighs it, a new criterion sets it aside
    until its reviewer scores again.
    """
    fitting = [values for values in reviews if _covers(criteria, values)]
    if not fitting:
        return None
    totals = [reviewer_total(criteria, values) for values in fitting]
    total_weight = sum(criterion.weight for criterion in criteria)
    breakdown = []
    for criterion in criteria:
        raw = [values[criterion.key] for values in fitting]
        mean_norm = sum(normalised(criterion, value) for value in raw) / len(raw)
        breakdown.append(
            CriterionScore(
                key=criterion.key,
                mean_value=sum(raw) / len(raw),
                normalised=mean_norm,
                contribution=100 * criterion.weight * mean_norm / total_weight,
            )
        )
    return RequestScore(
        # A mean of floats may stray an ulp past the scale's ends; the scale is 0-100.
        score=min(100.0, max(0.0, sum(totals) / len(totals))),
        breakdown=tuple(breakdown),
        spread=max(totals) - min(totals),
        reviewers=len(fitting),
    )
