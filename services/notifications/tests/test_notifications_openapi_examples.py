"""Every request body in the OpenAPI document carries realistic examples, and each one is valid.

The examples are read from the document as published (`/openapi.json`), so an example that drifts
from its model, or a new request body without one, fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pmo_common.events.catalog import EVENT_CATALOG
from pmo_common.web.inputs import StrictInput
from pmo_notifications.api import schemas
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.subscription_matching import event_type_violations
from pmo_notifications.main import create_app


def openapi_document(settings: NotificationsSettings) -> dict[str, Any]:
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def schema_refs(schema: Any) -> Iterator[str]:
    """The component names a schema refers to, however nested (`anyOf` for optional bodies)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in schema.values():
            yield from schema_refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from schema_refs(item)


def request_body_models(document: dict[str, Any]) -> dict[str, str]:
    """`METHOD path` of every operation taking a body, with the component its body is."""
    bodies: dict[str, str] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            refs = list(schema_refs(body["content"]["application/json"]["schema"]))
            assert len(refs) == 1, f"{method.upper()} {path}: one model per body, got {refs}"
            bodies[f"{method.upper()} {path}"] = refs[0]
    return bodies


def input_model(name: str) -> type[StrictInput]:
    model = getattr(schemas, name)
    assert isinstance(model, type) and issubclass(model, StrictInput), name
    return model


def test_every_request_body_has_examples(notifications_settings: NotificationsSettings) -> None:
    document = openapi_document(notifications_settings)
    bodies = request_body_models(document)
    assert set(bodies) >= {
        "POST /v1/subscriptions",
        "POST /v1/silences",
        "POST /v1/alerts/{alert_id}/resolve",
    }
    for operation, name in bodies.items():
        examples = document["components"]["schemas"][name].get("examples")
        assert examples, f"{operation}: the {name} body documents no example"


def test_every_documented_example_is_valid_for_its_model(
    notifications_settings: NotificationsSettings,
) -> None:
    document = openapi_document(notifications_settings)
    for name in sorted(set(request_body_models(document).values())):
        model = input_model(name)
        for example in document["components"]["schemas"][name]["examples"]:
            # As a client would send it: JSON, through the model the route validates with.
            model.model_validate_json(json.dumps(example))


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
