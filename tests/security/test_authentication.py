"""API2 Broken authentication: forged, expired and foreign tokens answer a generic 401."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

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
FORGERIES = [
    "alg none",
    "wrong key",
    "expired",
    "wrong issuer",
    "wrong audience",
    "no issuer",
    "no audience",
    "garbage",
]


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT with `alg: none` and no signature."""

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def forged(world: Any, kind: str) -> str:
    """A token that must be refused, wrong in the way `kind` names."""
    now = int(time.time())
    claims = {
        "sub": ADMIN,
        "email": ADMIN,
        "roles": ["pmo_admin"],
        "iat": now,
        "exp": now + 600,
        "iss": world.issuer,
        "aud": world.audience,
    }
    admin = ["pmo_admin"]
    tokens: dict[str, Callable[[], str]] = {
        "alg none": lambda: unsigned_token(claims),
        "wrong key": lambda: world.token(admin, ADMIN, secret="another-secret-" + "x" * 32),
        "expired": lambda: world.token(admin, ADMIN, ttl_seconds=-120),
        "wrong issuer": lambda: world.token(admin, ADMIN, issuer="https://evil.example.com/"),
        "wrong audience": lambda: world.token(admin, ADMIN, audience="another-api"),
        "no issuer": lambda: world.token(admin, ADMIN, issuer=None),
        "no audience": lambda: world.token(admin, ADMIN, audience=None),
        "garbage": lambda: "not.a.jwt",
    }
    token: str = tokens[kind]()
    return token


def test_a_valid_token_is_accepted_everywhere(world: Any, http: httpx.Client) -> None:
    # The control: the same calls with the stack's own token succeed.
    for service, path in PROTECTED:
        answer = http.get(world.url(service, path), headers=world.admin)
        assert answer.status_code == 200, (service, answer.text)


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_or_foreign_tokens_answer_401(world: Any, http: httpx.Client, kind: str) -> None:
    headers = {"Authorization": f"Bearer {forged(world, kind)}"}
    for service, path in PROTECTED:
        answer = http.get(world.url(service, path), headers=headers)
        assert answer.status_code == 401, (service, kind, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers.get("www-authenticate", "").lower().startswith("bearer")


@pytest.mark.parametrize("kind", FORGERIES)
def test_the_401_detail_does_not_leak_the_jwt_library_message(
    world: Any, http: httpx.Client, kind: str
) -> None:
    headers = {"Authorization": f"Bearer {forged(world, kind)}"}
    answer = http.get(world.url("intake", "/v1/projects"), headers=headers)
    assert answer.status_code == 401
    text = json.dumps(answer.json()).lower()
    leaked = [phrase for phrase in JWT_LIBRARY_PHRASES if phrase in text]
    assert not leaked, f"{kind}: the 401 names {leaked}: {answer.text}"


def test_every_refusal_reads_the_same(world: Any, http: httpx.Client) -> None:
    # One generic answer whatever is wrong, so the answer is no oracle for the attacker.
    details = set()
    for kind in FORGERIES:
        headers = {"Authorization": f"Bearer {forged(world, kind)}"}
        answer = http.get(world.url("intake", "/v1/projects"), headers=headers)
        details.add(answer.json().get("detail"))
    assert len(details) == 1, details


def test_a_forged_admin_token_cannot_write(world: Any, http: httpx.Client) -> None:
    project = world.my_project
    headers = {"Authorization": f"Bearer {forged(world, 'alg none')}"}
    answer = http.patch(
        world.url("intake", f"/v1/projects/{project['id']}"),
        headers=headers,
        json={"name": "Owned"},
    )
    assert answer.status_code == 401, answer.text
    again = http.get(world.url("intake", f"/v1/projects/{project['id']}"), headers=world.admin)
    assert again.json()["name"] == project["name"]
