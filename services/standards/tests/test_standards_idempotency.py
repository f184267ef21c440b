"""Every creating route honours Idempotency-Key: a retry replays, another body is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pmo_common.events.envelope import CloudEvent

MakeHeaders = Callable[..., dict[str, str]]
ReadOutbox = Callable[..., Awaitable[list[CloudEvent]]]


@dataclass(frozen=True)
class CreatingRoute:
    """A POST that creates something, two different bodies for it, and how to count its effect."""

    path: str  # "{project}" stands for a waterfall project standards has heard of
    body: dict[str, Any]
    other_body: dict[str, Any]
    published: str | None  # the event each creation publishes; None: count GET `path` instead


CHARTER = {"name": "project_charter", "gate": "charter_approval"}
ROUTES = {
    "methodology": CreatingRoute(
        "/v1/methodologies",
        {"key": "kanban", "name": "Kanban", "phases": ["flow"]},
        {"key": "kanban", "name": "Another", "phases": ["flow"]},
        "standards.methodology.published",
    ),
    "deliverable": CreatingRoute(
        "/v1/projects/{project}/deliverables",
        CHARTER,
        {**CHARTER, "url": "https://docs/charter"},
        "project.compliance.evaluated",
    ),
    "gate decision": CreatingRoute(
        "/v1/projects/{project}/gates/charter_approval/decision",
        {"decision": "approved"},
        {"decision": "rejected"},
        "project.gate.decided",
    ),
    "practice": CreatingRoute(
        "/v1/practices",
        {"title": "Sprint retrospective", "body": "One improvement per sprint."},
        {"title": "Sprint retrospective", "body": "Two improvements per sprint."},
        None,
    ),
}


@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
async def test_a_retry_replays_the_first_answer_and_another_body_is_refused(
    route: CreatingRoute,
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    standards_project: Callable[..., Awaitable[str]],
) -> None:
    project_id = await standards_project(methodology="waterfall")
    path = route.path.format(project=project_id)
    headers = {**standards_auth("pmo_admin"), "Idempotency-Key": "create-once"}

    first = await standards_client.post(path, json=route.body, headers=headers)
    retry = await standards_client.post(path, json=route.body, headers=headers)
    assert first.status_code == retry.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert retry.headers.get("idempotent-replayed") == "true"
    assert retry.json() == first.json()

    if route.published is None:
        listed = await standards_client.get(path, headers=headers)
        assert len(listed.json()["items"]) == 1
    else:
        events = await standards_outbox(route.published)
        assert len([e for e in events if e.subject in {"kanban", project_id}]) == 1

    reused = await standards_client.post(path, json=route.other_body, headers=headers)
    assert reused.status_code == 422
    assert [e["field"] for e in reused.json()["errors"]] == ["header.Idempotency-Key"]
