"""Token verification (HS256 in development, RS256 from a JWKS in production) and minting."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

import jwt

from pmo_common.auth.principal import KNOWN_ROLES, Principal


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not ours."""


class TokenVerifier:
    """Verifies bearer tokens against the configured secret or JWKS, issuer and audience."""

    def __init__(
        self,
        *,
        secret: str | None,
        jwks_url: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

    async def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidToken otherwise."""
        try:
            if self._jwks is not None:
                # PyJWKClient fetches over blocking HTTP; keep it off the event loop.
                key: Any = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                claims = self._decode(token, key.key, ["RS256", "ES256"])
            else:
                claims = self._decode(token, self._secret or "", ["HS256"])
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        return _principal_from(claims)

    def _decode(self, token: str, key: Any, algorithms: list[str]) -> dict[str, Any]:
        options = {"require": ["exp", "sub"], "verify_aud": self._audience is not None}
        return jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=self._audience,
            issuer=self._issuer,
            options=options,  # type: ignore[arg-type]
        )


def _principal_from(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken("the roles claim must be a list of strings")
    email = claims.get("email")
    return Principal(
        subject=str(claims["sub"]),
        email=str(email) if email else None,
        roles=frozenset(r for r in roles if r in KNOWN_ROLES),
    )


def mint_dev_token(
    *,
    secret: str,
    sub: str,
    email: str | None,
    roles: Sequence[str],
    issuer: str | None = None,
    audience: str | None = None,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """An HS256 token for development and tests."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "roles": list(roles),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    if email:
        claims["email"] = email
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
