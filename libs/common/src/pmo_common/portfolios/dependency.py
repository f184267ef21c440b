"""The FastAPI dependency that hands a route its caller with the caller's portfolio scope."""

# No `from __future__ import annotations`: FastAPI reads the inner dependency's annotations,
# and `Depends(check)` names a closure variable a postponed annotation could not resolve.

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.auth.principal import Principal
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.portfolios.scope import PortfolioScope, ScopedPrincipal, with_scope
from pmo_common.web.app_factory import SessionDep

ScopeLoader = Callable[[AsyncSession, Principal], Awaitable[PortfolioScope]]


def scoped(
    check: Callable[..., Awaitable[Principal]], load_scope: ScopeLoader
) -> Callable[..., Awaitable[ScopedPrincipal]]:
    """A dependency: the principal `check` lets through, with its portfolios looked up by
    `load_scope` in the request's session (the one the route then uses)."""

    async def dependency(
        principal: Annotated[Principal, Depends(check)], session: SessionDep
    ) -> ScopedPrincipal:
        # Its own unit of work: the lookup's read must not leave a transaction open for the
        # route (one may wait on DNS next); inside a route's unit of work it simply joins.
        async with unit_of_work(session):
            scope = await load_scope(session, principal)
        return with_scope(principal, scope)

    return dependency
