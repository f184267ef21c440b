"""Valid bodies for the services' public API and the events intake publishes, for tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pmo_common.events.envelope import CloudEvent


def project_body(
    name: str,
    manager: str,
    *,
    started_days_ago: int = 60,
    ends_in_days: int = 120,
    budget: float = 250000,
    **changes: Any,
) -> dict[str, Any]:
    """A valid project registration (POST /v1/projects) for a project running today."""
    today = datetime.now(UTC).date()
    return {
        "name": name,
        "manager": manager,
        "start_date": (today - timedelta(days=started_days_ago)).isoformat(),
        "end_date": (today + timedelta(days=ends_in_days)).isoformat(),
        "budget": budget,
        **changes,
    }


def halfway_project_body(name: str, manager: str, **changes: Any) -> dict[str, Any]:
    """A 200-day project with a budget of 100,000, halfway through today (planned value 50,000)."""
    return project_body(
        name, manager, started_days_ago=100, ends_in_days=100, budget=100000, **changes
    )


def subscription_body(
    channel: str,
    target: str,
    project_id: str | None = None,
    event_types: Sequence[str] = ("project.at_risk",),
) -> dict[str, Any]:
    """A subscription (POST /v1/subscriptions), to one project's events when `project_id`."""
    body: dict[str, Any] = {"channel": channel, "target": target, "event_types": list(event_types)}
    if project_id is not None:
        body["project_id"] = project_id
    return body


def project_created_data(name: str, **changes: Any) -> dict[str, Any]:
    """The data of a `project.created` event as intake publishes it, for a fresh project id.

    An active 200-day project, halfway through, with a budget of 100,000 EUR.
    """
    return {
        **halfway_project_body(name, "ada@example.com"),
        "project_id": str(uuid.uuid4()),
        "sponsor": None,
        "methodology": "waterfall",
        "budget": 100000.0,
        "currency": "EUR",
        "milestones": [],
        "portfolio_id": None,
        "program_id": None,
        "status": "active",
        "version": 1,
        **changes,
    }


def project_created_event(data: dict[str, Any]) -> CloudEvent:
    """The `project.created` CloudEvent intake would publish for `data`, keyed by the project."""
    return CloudEvent(
        source="/pmo/intake", type="project.created", subject=data["project_id"], data=data
    )
