"""FastAPI dependencies: the current principal (401) and role checks (403)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pmo_common.auth.principal import Principal
from pmo_common.auth.tokens import InvalidToken, TokenVerifier
from pmo_common.problems import ProblemException

_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by the bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemException(
            401, "Unauthorized", "A bearer token is required.", headers=_CHALLENGE
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise ProblemException(
            401, "Unauthorized", f"The bearer token is not valid: {exc}.", headers=_CHALLENGE
        ) from exc


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
