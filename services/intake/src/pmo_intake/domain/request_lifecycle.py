"""The life of a project request, in two steps of review:

draft → submitted → portfolio_review (scored) → pmo_decision (recommended) → approved | rejected,
with `returned` (for rework, from any step of review) leading back to an edit and a new submit.

The PMO admin keeps the last word: they may approve or reject a request at any step of review,
without waiting for the portfolio's recommendation (the history shows the step was skipped).
"""

from __future__ import annotations

REQUEST_STATUSES = (
    "draft",
    "submitted",
    "portfolio_review",
    "returned",
    "pmo_decision",
    "approved",
    "rejected",
)
IN_REVIEW = ("submitted", "portfolio_review", "pmo_decision")
"""The states in which a request is scored, and is a candidate of the portfolio's scenarios."""

_ALLOWED: dict[str, tuple[str, ...]] = {
    "edit": ("draft", "returned"),
    "submit": ("draft", "returned"),
    "score": IN_REVIEW,
    "recommend": ("submitted", "portfolio_review"),
    "return": IN_REVIEW,
    "approve": IN_REVIEW,
    "reject": IN_REVIEW,
    "commit": IN_REVIEW,
}
_PAST = {
    "edit": "edited",
    "submit": "submitted",
    "score": "scored",
    "recommend": "recommended",
    "return": "returned",
    "approve": "approved",
    "reject": "rejected",
    "commit": "committed in a scenario",
}
# Where each action leaves a request; scoring leaves a request already past `submitted` where it
# is, and committing a scenario leaves one already awaiting the PMO there.
_NEXT = {
    "submit": "submitted",
    "recommend": "pmo_decision",
    "return": "returned",
    "approve": "approved",
    "reject": "rejected",
    "commit": "pmo_decision",
}


def done(action: str) -> str:
    """The action as done, in one word (`submit` → `submitted`): how the audit trail names it."""
    return _PAST[action].split()[0]


class RequestTransitionError(Exception):
    """The request is not in a state that allows the action."""


def check_transition(action: str, status: str) -> None:
    """Raise unless `action` is allowed on a request in `status`."""
    allowed = _ALLOWED[action]
    if status not in allowed:
        raise RequestTransitionError(
            f"A request can be {_PAST[action]} only while {' or '.join(allowed)}; "
            f"this one is {status}."
        )


def status_after(action: str, status: str) -> str:
    """The state a request in `status` moves to by an allowed `action`."""
    check_transition(action, status)
    if action == "score":
        return "portfolio_review" if status == "submitted" else status
    return _NEXT.get(action, status)
