"""The rules of scoring and of a request's two-step review, as plain functions, on hand-worked
examples."""

from __future__ import annotations

import pytest
from pmo_intake.domain.request_lifecycle import (
    REQUEST_STATUSES,
    RequestTransitionError,
    status_after,
)
from pmo_intake.domain.scoring import (
    Criterion,
    check_criteria,
    check_scores,
    normalised,
    reviewer_total,
    score_request,
)

# Value (weight 3) and alignment (2): higher is better; risk (1): lower is better. All 1-5.
MODEL = (
    Criterion("value", "Business value", 3),
    Criterion("alignment", "Strategic alignment", 2),
    Criterion("risk", "Delivery risk", 1, direction="lower"),
)
ANNA = {"value": 5, "alignment": 3, "risk": 2}  # 1, 0.5, 0.75 -> 100 x 4.75 / 6 = 79 1/6
BORIS = {"value": 3, "alignment": 5, "risk": 4}  # 0.5, 1, 0.25 -> 100 x 3.75 / 6 = 62.5


def test_a_value_normalises_up_or_down_its_scale() -> None:
    risk = Criterion("risk", "Risk", 1, scale_min=0, scale_max=10, direction="lower")
    gain = Criterion("gain", "Gain", 1, scale_min=0, scale_max=10)
    assert normalised(risk, 2) == pytest.approx(0.8)
    assert normalised(gain, 2) == pytest.approx(0.2)
    assert normalised(risk, 10) == 0 == normalised(gain, 0)


def test_each_reviewer_total_is_the_weighted_mean_of_normalised_values() -> None:
    assert reviewer_total(MODEL, ANNA) == pytest.approx(475 / 6)
    assert reviewer_total(MODEL, BORIS) == pytest.approx(62.5)
    best = {"value": 5, "alignment": 5, "risk": 1}
    assert reviewer_total(MODEL, best) == 100


def test_the_request_score_averages_reviewers_with_breakdown_and_spread() -> None:
    result = score_request(MODEL, [ANNA, BORIS])
    assert result is not None
    assert result.score == pytest.approx(425 / 6)  # (79 1/6 + 62.5) / 2
    assert result.spread == pytest.approx(50 / 3)  # 79 1/6 - 62.5
    assert result.reviewers == 2
    by_key = {item.key: item for item in result.breakdown}
    assert by_key["value"].mean_value == 4
    assert by_key["value"].normalised == pytest.approx(0.75)
    assert by_key["value"].contribution == pytest.approx(37.5)  # 100 x 3 x 0.75 / 6
    assert by_key["alignment"].contribution == pytest.approx(25)
    assert by_key["risk"].mean_value == 3
    assert by_key["risk"].normalised == pytest.approx(0.5)  # (0.75 + 0.25) / 2
    assert by_key["risk"].contribution == pytest.approx(25 / 3)
    assert sum(item.contribution for item in result.breakdown) == pytest.approx(result.score)


def test_reviews_that_no_longer_fit_the_model_are_set_aside() -> None:
    with_cost = (*MODEL, Criterion("cost", "Cost", 1, direction="lower"))
    assert score_request(with_cost, [ANNA]) is None
    result = score_request(with_cost, [ANNA, {**BORIS, "cost": 1}])
    assert result is not None
    assert result.reviewers == 1
    assert result.spread == 0
    dropped = score_request(MODEL[:2], [ANNA])  # risk removed: Anna's review still fits
    assert dropped is not None
    assert dropped.score == pytest.approx(100 * (3 * 1 + 2 * 0.5) / 5)


def test_a_model_needs_sound_criteria() -> None:
    assert check_criteria(MODEL) == []
    broken = (
        Criterion("value", "Value", 0),
        Criterion("value", "Again", 1, scale_min=5, scale_max=5),
    )
    assert {(v.field, v.reason) for v in check_criteria(broken)} == {
        ("criteria.0.weight", "must be greater than 0"),
        ("criteria.1.key", "'value' appears twice"),
        ("criteria.1.scale_max", "must be above scale_min"),
    }
    assert [v.field for v in check_criteria(())] == ["criteria"]
    many = tuple(Criterion(f"c{index}", "C", 1) for index in range(21))
    assert [v.field for v in check_criteria(many)] == ["criteria"]


def test_scores_cover_every_criterion_within_its_scale() -> None:
    assert check_scores(MODEL, ANNA) == []
    refused = check_scores(MODEL, {"value": 6, "alignment": 3, "luck": 2})
    assert {(v.field, v.reason) for v in refused} == {
        ("criteria.value", "must be between 1 and 5"),
        ("criteria.risk", "is required"),
        ("criteria.luck", "is no criterion of the model"),
    }


# Every step a request may take: (action, status before) -> status after. Any other action in
# any status is refused (the test after this one tries them all).
STEPS = {
    ("edit", "draft"): "draft",
    ("edit", "returned"): "returned",
    ("submit", "draft"): "submitted",
    ("submit", "returned"): "submitted",
    # Scoring moves a submitted request into the portfolio's review, and leaves one past it.
    ("score", "submitted"): "portfolio_review",
    ("score", "portfolio_review"): "portfolio_review",
    ("score", "pmo_decision"): "pmo_decision",
    # The portfolio may recommend before scoring; the PMO may decide before a recommendation.
    ("recommend", "submitted"): "pmo_decision",
    ("recommend", "portfolio_review"): "pmo_decision",
    ("return", "submitted"): "returned",
    ("return", "portfolio_review"): "returned",
    ("return", "pmo_decision"): "returned",
    ("approve", "submitted"): "approved",
    ("approve", "portfolio_review"): "approved",
    ("approve", "pmo_decision"): "approved",
    ("reject", "submitted"): "rejected",
    ("reject", "portfolio_review"): "rejected",
    ("reject", "pmo_decision"): "rejected",
    ("commit", "submitted"): "pmo_decision",
    ("commit", "portfolio_review"): "pmo_decision",
    ("commit", "pmo_decision"): "pmo_decision",
}
ACTIONS = ("edit", "submit", "score", "recommend", "return", "approve", "reject", "commit")
REFUSED = [(a, s) for a in ACTIONS for s in REQUEST_STATUSES if (a, s) not in STEPS]


@pytest.mark.parametrize(("action", "before"), STEPS)
def test_the_steps_a_request_takes(action: str, before: str) -> None:
    assert status_after(action, before) == STEPS[action, before]


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_the_steps_a_request_cannot_take(action: str, status: str) -> None:
    with pytest.raises(RequestTransitionError, match=f"this one is {status}"):
        status_after(action, status)
