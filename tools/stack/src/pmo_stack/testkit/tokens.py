"""Bearer tokens for a running stack: signed with its secret, issuer and audience, or forged."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pmo_common.auth.tokens import mint_dev_token
from pmo_common.settings import DEVELOPMENT_JWT_SECRET

# Tokens a stack that checks issuer and audience must refuse with a 401, by what is wrong.
FORGERIES = (
    "unsigned",
    "wrong key",
    "expired",
    "wrong issuer",
    "wrong audience",
    "no issuer",
    "no audience",
    "garbage",
)
_WRONG_IN_ONE_CLAIM: dict[str, dict[str, Any]] = {
    "no role": {"roles": []},
    "wrong key": {"secret": "another-secret-" + "x" * 32},
    "expired": {"ttl_seconds": -120},
    "wrong issuer": {"issuer": "https://evil.example.com/"},
    "wrong audience": {"audience": "another-api"},
    "no issuer": {"issuer": None},
    "no audience": {"audience": None},
}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}


def dev_auth_header(role: str = "pmo_admin", email: str = "pmo@example.com") -> dict[str, str]:
    """The Authorization header for one role and e-mail, signed with the development secret
    (what an app in process on its default settings accepts)."""
    return TokenFactory(DEVELOPMENT_JWT_SECRET).headers(role, email)


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT with `alg: none` and no signature."""

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@dataclass(frozen=True)
class TokenFactory:
    """Mints HS256 tokens with one secret, issuer and audience (those of a stack or an app)."""

    secret: str
    issuer: str | None = None
    audience: str | None = None

    def token(self, roles: Sequence[str], email: str, **overrides: Any) -> str:
        """A token for `email` with `roles`; `overrides` replace mint_dev_token's arguments."""
        arguments: dict[str, Any] = {
            "secret": self.secret,
            "sub": email,
            "email": email,
            "roles": list(roles),
            "issuer": self.issuer,
            "audience": self.audience,
        }
        arguments.update(overrides)
        return mint_dev_token(**arguments)

    def headers(self, role: str | None, email: str, **overrides: Any) -> dict[str, str]:
        """Authorization header for one role (none when None)."""
        return bearer(self.token([role] if role else [], email, **overrides))

    def forged(self, kind: str, email: str, roles: Sequence[str] = ("pmo_admin",)) -> str:
        """A token wrong in the way `kind` names: one of FORGERIES, or "no role" (no roles)."""
        if kind == "garbage":
            return "not.a.jwt"
        if kind == "unsigned":
            now = int(time.time())
            claims: dict[str, Any] = {"sub": email, "email": email, "roles": list(roles)}
            claims.update(iat=now, exp=now + 600, iss=self.issuer, aud=self.audience)
            return unsigned_token(
                {key: value for key, value in claims.items() if value is not None}
            )
        return self.token(roles, email, **_WRONG_IN_ONE_CLAIM[kind])
