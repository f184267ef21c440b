"""Subscriptions: who may subscribe to what, validation, SSRF refusal, the secret shown once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pmo_notifications.main import create_app

MANAGER = "ada@example.com"
MANAGED_PORTFOLIO = "pf-managed"  # the portfolio of managed_project_id


@pytest.fixture
async def notifications_strict_client(notifications_settings: Any) -> AsyncIterator[Any]:
    """The app as in production: webhook targets on private addresses refused."""
    settings = notifications_settings.model_copy(update={"webhook_allow_private": False})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield client


def webhook_body(target: str, **extra: Any) -> dict[str, Any]:
    return {"channel": "webhook", "target": target, "event_types": ["project.at_risk"], **extra}


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fc00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
    ],
)
async def test_private_webhook_targets_are_refused_with_422_naming_target(
    notifications: Any, notifications_strict_client: Any, target: str
) -> None:
    answer = await notifications_strict_client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=webhook_body(target)
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["errors"][0]["field"] == "target"
    assert "public addresses" in problem["errors"][0]["reason"]


async def test_public_targets_pass_and_private_ones_pass_when_the_switch_is_on(
    notifications: Any, notifications_strict_client: Any
) -> None:
    public = await notifications_strict_client.post(
        "/v1/subscriptions",
        headers=notifications.auth(),
        json=webhook_body("https://93.184.215.14/hook"),
    )
    assert public.status_code == 201, public.text
    switched_on = await notifications.client.post(
        "/v1/subscriptions",
        headers=notifications.auth(),
        json=webhook_body("http://127.0.0.1:9/hook"),
    )
    assert switched_on.status_code == 201, switched_on.text


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("ftp://example.com/hook", "only http:// and https://"),
        ("https://user:secret@example.com/hook", "credentials"),
    ],
)
async def test_bad_webhook_urls_are_refused(notifications: Any, target: str, words: str) -> None:
    answer = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=webhook_body(target)
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "target"
    assert words in answer.json()["errors"][0]["reason"]


async def test_webhook_secret_is_shown_once(notifications: Any) -> None:
    created = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=webhook_body("http://127.0.0.1:9/h")
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    subscription_id = created.json()["id"]

    listed = await notifications.client.get("/v1/subscriptions", headers=notifications.auth())
    assert [item["id"] for item in listed.json()["items"]] == [subscription_id]
    assert "secret" not in listed.json()["items"][0]
    read = await notifications.client.get(
        f"/v1/subscriptions/{subscription_id}", headers=notifications.auth()
    )
    assert read.status_code == 200 and "secret" not in read.json()

    email = await notifications.client.post(
        "/v1/subscriptions",
        headers=notifications.auth(),
        json={
            "channel": "email",
            "target": "pmo-desk@example.com",
            "event_types": ["alert.raised"],
        },
    )
    assert email.status_code == 201 and email.json()["secret"] is None


async def test_who_may_subscribe(notifications: Any, notifications_payloads: Any) -> None:
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await notifications.apply(
        "project.created", notifications_payloads.created(mine, manager=MANAGER)
    )
    await notifications.apply(
        "project.created", notifications_payloads.created(theirs, manager="bob@example.com")
    )
    manager = notifications.auth("project_manager", MANAGER)
    body = {"channel": "email", "target": MANAGER, "event_types": ["project.at_risk"]}
    client = notifications.client

    unscoped = await client.post("/v1/subscriptions", headers=manager, json=body)
    assert unscoped.status_code == 403
    assert "project_id" in unscoped.json()["detail"]
    other = await client.post(
        "/v1/subscriptions", headers=manager, json={**body, "project_id": theirs}
    )
    assert other.status_code == 403
    own = await client.post("/v1/subscriptions", headers=manager, json={**body, "project_id": mine})
    assert own.status_code == 201, own.text
    viewer = await client.post(
        "/v1/subscriptions",
        headers=notifications.auth("viewer", "v@example.com"),
        json={**body, "project_id": mine},
    )
    assert viewer.status_code == 403
    assert (await client.post("/v1/subscriptions", json=body)).status_code == 401

    # Each sees their own; the admin sees all and may delete any.
    admin_sub = await client.post("/v1/subscriptions", headers=notifications.auth(), json=body)
    mine_listed = await client.get("/v1/subscriptions", headers=manager)
    assert [item["id"] for item in mine_listed.json()["items"]] == [own.json()["id"]]
    all_listed = await client.get("/v1/subscriptions", headers=notifications.auth())
    assert len(all_listed.json()["items"]) == 2
    not_yours = await client.delete(f"/v1/subscriptions/{admin_sub.json()['id']}", headers=manager)
    assert not_yours.status_code == 403
    by_admin = await client.delete(
        f"/v1/subscriptions/{own.json()['id']}", headers=notifications.auth()
    )
    assert by_admin.status_code == 204
    gone = await client.delete(f"/v1/subscriptions/{own.json()['id']}", headers=manager)
    assert gone.status_code == 404


# A valid subscription body; each validation case changes it into one that is refused.
VALID_BODY = {"channel": "email", "target": "a@example.com", "event_types": ["alert.raised"]}
UNROUTABLE = {"event_types": ["project.at_risk", "project.exploded", "notification.failed"]}


@pytest.mark.parametrize(
    ("change", "fields", "first_reason"),
    [
        (UNROUTABLE, ["event_types.1", "event_types.2"], "not an event type of the catalog"),
        ({"target": "not-an-address"}, ["target"], "not a valid e-mail address"),
        ({"severity": "critical"}, ["body.severity"], "Extra inputs are not permitted"),
        (
            {"channel": "sms", "target": "+33"},
            ["body.channel"],
            "Input should be 'email', 'webhook'",
        ),
    ],
)
async def test_subscription_validation_names_each_field(
    notifications: Any, change: dict[str, Any], fields: list[str], first_reason: str
) -> None:
    answer = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=VALID_BODY | change
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [error["field"] for error in errors] == fields
    assert first_reason in errors[0]["reason"]


async def test_idempotency_key_replays_the_first_answer(notifications: Any) -> None:
    headers = {**notifications.auth(), "Idempotency-Key": "sub-1"}
    body = webhook_body("http://127.0.0.1:9/h")
    first = await notifications.client.post("/v1/subscriptions", headers=headers, json=body)
    again = await notifications.client.post("/v1/subscriptions", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = await notifications.client.get("/v1/subscriptions", headers=notifications.auth())
    assert len(listed.json()["items"]) == 1
    reused = await notifications.client.post(
        "/v1/subscriptions", headers=headers, json={**body, "min_severity": "critical"}
    )
    assert reused.status_code == 422


@pytest.fixture
async def notifications_company_domains(notifications_settings: Any) -> AsyncIterator[Any]:
    """The app with e-mail subscriptions limited to example.com and *.corp.example.org."""
    settings = notifications_settings.model_copy(
        update={"allowed_email_domains": ("example.com", "*.corp.example.org")}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield client


@pytest.fixture
async def managed_project_id(notifications: Any, notifications_payloads: Any) -> str:
    """A new project, managed by MANAGER, known to notifications; its id."""
    project_id = str(uuid.uuid4())
    await notifications.apply(
        "project.created",
        notifications_payloads.created(project_id, manager=MANAGER, portfolio_id=MANAGED_PORTFOLIO),
    )
    return project_id


def email_body(target: str, project_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"channel": "email", "target": target, "event_types": ["alert.raised"]}
    return body | ({"project_id": project_id} if project_id else {})


@pytest.mark.parametrize(
    "target",
    [
        "ada@gmail.com",
        "ada@eu.example.com",  # `example.com` is that domain only
        "ada@corp.example.org",  # `*.corp.example.org` is its subdomains only
        "ada@notexample.com",
        "ada@example.com.evil.net",
    ],
)
async def test_non_admins_subscribe_only_addresses_in_the_allowed_domains(
    notifications: Any,
    notifications_company_domains: Any,
    managed_project_id: str,
    target: str,
) -> None:
    portfolio_manager = await notifications.member(MANAGED_PORTFOLIO, "pm@example.com")
    for role, headers in (
        ("project_manager", notifications.auth("project_manager", MANAGER)),
        ("portfolio_manager", portfolio_manager),
    ):
        refused = await notifications_company_domains.post(
            "/v1/subscriptions",
            headers=headers,
            json=email_body(target, managed_project_id),
        )
        assert refused.status_code == 422, (role, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        [error] = refused.json()["errors"]
        assert error["field"] == "target"
        assert "example.com or *.corp.example.org" in error["reason"]
    listed = await notifications_company_domains.get(
        "/v1/subscriptions", headers=notifications.auth()
    )
    assert listed.json()["items"] == [], "nothing was stored"


@pytest.mark.parametrize(
    "target", ["ada@example.com", "Ada@EXAMPLE.com", "ada@eu.corp.example.org"]
)
async def test_addresses_in_the_allowed_domains_are_accepted_from_anyone_who_may_subscribe(
    notifications: Any,
    notifications_company_domains: Any,
    managed_project_id: str,
    target: str,
) -> None:
    created = await notifications_company_domains.post(
        "/v1/subscriptions",
        headers=notifications.auth("project_manager", MANAGER),
        json=email_body(target, managed_project_id),
    )
    assert created.status_code == 201, created.text


async def test_pmo_admins_and_webhooks_are_not_limited_by_the_email_domains(
    notifications: Any, notifications_company_domains: Any, managed_project_id: str
) -> None:
    by_admin = await notifications_company_domains.post(
        "/v1/subscriptions", headers=notifications.auth(), json=email_body("desk@partner.net")
    )
    assert by_admin.status_code == 201, by_admin.text
    webhook = await notifications_company_domains.post(
        "/v1/subscriptions",
        headers=notifications.auth("project_manager", MANAGER),
        json=webhook_body("http://127.0.0.1:9/hook", project_id=managed_project_id),
    )
    assert webhook.status_code == 201, webhook.text


async def test_without_an_allow_list_any_domain_is_accepted(
    notifications: Any, managed_project_id: str
) -> None:
    created = await notifications.client.post(
        "/v1/subscriptions",
        headers=notifications.auth("project_manager", MANAGER),
        json=email_body("ada@gmail.com", managed_project_id),
    )
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target": "ada\u202e@example.com"}, "body.target"),
        ({"target": "ada @example.com"}, "body.target"),
        ({"target": "ada@example.com\r\nBcc: x@evil.net"}, "body.target"),
        ({"event_types": []}, "body.event_types"),
        ({"project_id": "p 1"}, "body.project_id"),
        ({"min_severity": None}, "body.min_severity"),
    ],
)
async def test_bad_subscription_input_answers_422_naming_the_field(
    notifications: Any, change: dict[str, Any], field: str
) -> None:
    answer = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=VALID_BODY | change
    )
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == [field]
