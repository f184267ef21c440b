"""API2 Broken authentication: forged, expired and foreign tokens answer a generic 401."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import FORGERIES, bearer

pytestmark = pytest.mark.security

ADMIN = "pmo-admin@example.com"
# PyJWT's own messages (and exception names): a 401 must not tell a caller which check failed.
JWT_LIBRARY_PHRASES = (
    "signature verification failed",
    "signature has expired",
    "invalid issuer",
    "invalid audience",
    "audience doesn't match",
    "not enough segments",
    "alg value is not allowed",
    "token is missing the",
    "invalid header padding",
    "invalid crypto padding",
    "invalid payload padding",
    "invalid token type",
    "decodeerror",
    "invalidsignatureerror",
    "expiredsignatureerror",
    "invalidissuererror",
    "invalidaudienceerror",
    "missingrequiredclaimerror",
)
PROTECTED = [
    ("intake", "/v1/projects"),
    ("monitoring", "/v1/portfolio/health"),
    ("standards", "/v1/methodologies"),
    ("notifications", "/v1/alerts"),
]


def forged(world: Any, kind: str) -> dict[str, str]:
    """The Authorization header of an admin token that must be refused, wrong as `kind` says."""
    return bearer(world.tokens.forged(kind, ADMIN))


def test_a_valid_token_is_accepted_everywhere(world: Any, http: httpx.Client) -> None:
    # The control: the same calls with the stack's own token succeed.
    for service, path in PROTECTED:
        answer = http.get(world.url(service, path), headers=world.admin)
        assert answer.status_code == 200, (service, answer.text)


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_or_foreign_tokens_answer_401(world: Any, http: httpx.Client, kind: str) -> None:
    headers = forged(world, kind)
    for service, path in PROTECTED:
        answer = http.get(world.url(service, path), headers=headers)
        assert answer.status_code == 401, (service, kind, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers.get("www-authenticate", "").lower().startswith("bearer")


@pytest.mark.parametrize("kind", FORGERIES)
def test_the_401_detail_does_not_leak_the_jwt_library_message(
    world: Any, http: httpx.Client, kind: str
) -> None:
    headers = forged(world, kind)
    answer = http.get(world.url("intake", "/v1/projects"), headers=headers)
    assert answer.status_code == 401
    text = json.dumps(answer.json()).lower()
    leaked = [phrase for phrase in JWT_LIBRARY_PHRASES if phrase in text]
    assert not leaked, f"{kind}: the 401 names {leaked}: {answer.text}"


def test_every_refusal_reads_the_same(world: Any, http: httpx.Client) -> None:
    # One generic answer whatever is wrong, so the answer is no oracle for the attacker.
    details = set()
    for kind in FORGERIES:
        answer = http.get(world.url("intake", "/v1/projects"), headers=forged(world, kind))
        details.add(answer.json().get("detail"))
    assert len(details) == 1, details


def test_a_forged_admin_token_cannot_write(world: Any, http: httpx.Client) -> None:
    project = world.my_project
    headers = forged(world, "unsigned")
    answer = http.patch(
        world.url("intake", f"/v1/projects/{project['id']}"),
        headers=headers,
        json={"name": "Owned"},
    )
    assert answer.status_code == 401, answer.text
    again = http.get(world.url("intake", f"/v1/projects/{project['id']}"), headers=world.admin)
    assert again.json()["name"] == project["name"]
