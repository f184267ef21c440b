"""The life of a project request: draft → submitted → approved | rejected."""

from __future__ import annotations

REQUEST_STATUSES = ("draft", "submitted", "approved", "rejected")
_ALLOWED = {
    "submit": ("draft",),
    "approve": ("submitted",),
    "reject": ("submitted",),
    "edit": ("draft",),
}


class RequestTransitionError(Exception):
    """The request is not in a state that allows the action."""


def check_transition(action: str, status: str) -> None:
    """Raise unless `action` is allowed on a request in `status`."""
    allowed = _ALLOWED[action]
    if status not in allowed:
        raise RequestTransitionError(
            f"A request can be {_past(action)} only while {' or '.join(allowed)}; "
            f"this one is {status}."
        )


def _past(action: str) -> str:
    return {"submit": "submitted", "approve": "approved", "reject": "rejected"}.get(
        action, "edited"
    )
