"""Every request body in the OpenAPI document carries realistic examples, and each one is valid.

The examples are read from the document as published (`/openapi.json`), so an example that drifts
from its model, or a new request body without one, fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from pmo_common.events.catalog import EVENT_CATALOG
from pmo_notifications.api import schemas
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.subscription_matching import event_type_violations
from pmo_notifications.main import create_app
from pmo_stack.testkit.openapi_checks import check_request_body_examples


def openapi_document(settings: NotificationsSettings) -> dict[str, Any]:
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def test_every_request_body_documents_examples_its_model_accepts(
    notifications_settings: NotificationsSettings,
) -> None:
    bodies = check_request_body_examples(openapi_document(notifications_settings), schemas)
    assert set(bodies) >= {
        "POST /v1/subscriptions",
        "POST /v1/silences",
        "POST /v1/alerts/{alert_id}/resolve",
        "POST /v1/escalation-policies",
        "PUT /v1/escalation-policies/{policy_id}",
    }


def test_subscription_examples_name_routable_event_types(
    notifications_settings: NotificationsSettings,
) -> None:
    document = openapi_document(notifications_settings)
    for example in document["components"]["schemas"]["SubscriptionCreate"]["examples"]:
        assert event_type_violations(example["event_types"], EVENT_CATALOG.keys()) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"note": "Fixed\u202e"}, "text-direction"),
        ({"note": "Fixed\x07"}, "control"),
        ({"note": "x" * 2001}, "2000"),
        ({"note": "ok", "by": "me"}, "Extra inputs"),
    ],
)
async def test_a_bad_resolution_note_answers_422_naming_note(
    notifications: Any, notifications_payloads: Any, body: dict[str, Any], reason: str
) -> None:
    project_id = "p-note"
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    alert_id = listed.json()["items"][0]["id"]
    answer = await notifications.client.post(
        f"/v1/alerts/{alert_id}/resolve", headers=notifications.auth(), json=body
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["field"].startswith("body.") and reason in error["reason"]
    fine = await notifications.client.post(
        f"/v1/alerts/{alert_id}/resolve",
        headers=notifications.auth(),
        json={"note": "Re-forecast approved.\nCPI back above 0.95."},
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["resolution_note"] == "Re-forecast approved.\nCPI back above 0.95."
