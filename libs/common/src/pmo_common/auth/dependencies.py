"""FastAPI dependencies: the current principal (401) and role checks (403)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pmo_common.audit.actor import acting_principal
from pmo_common.auth.principal import KNOWN_ROLES, Principal
from pmo_common.auth.tokens import InvalidToken, TokenVerifier
from pmo_common.problems import ProblemException

_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
UNAUTHORIZED_DETAIL = "The bearer token is missing, expired or not valid."
NO_KNOWN_ROLE_DETAIL = (
    "The token carries none of the roles this API knows "
    f"({', '.join(sorted(KNOWN_ROLES))}); ask an administrator for one."
)
log = logging.getLogger(__name__)


def _unauthorized() -> ProblemException:
    # One plain answer for every reason: the reason itself helps an attacker, not a client.
    return ProblemException(401, "Unauthorized", UNAUTHORIZED_DETAIL, headers=_CHALLENGE)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by the bearer token: 401 without a valid one, 403 without a known role.

    Every `/v1` route depends on this, so a token whose roles are all unknown (or absent) is
    refused everywhere, read routes included: access is denied unless a role grants it.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized()
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        log.debug("bearer token refused: %s", exc)
        raise _unauthorized() from exc
    if not principal.roles & KNOWN_ROLES:
        raise ProblemException(403, "Forbidden", NO_KNOWN_ROLE_DETAIL)
    acting_principal.set(principal)  # the actor of the audit records this request writes
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only callers holding one of `roles` (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any_role(*roles):
            raise ProblemException(
                403,
                "Forbidden",
                f"This action needs one of the roles: {', '.join(roles)}.",
            )
        return principal

    return check


def forbid(reason: str) -> ProblemException:
    """A 403 problem with the reason in plain words."""
    return ProblemException(403, "Forbidden", reason)
