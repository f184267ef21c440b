"""Routes that answer who the caller is, for tests of authentication and authorisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pmo_common.auth.dependencies import CurrentPrincipal, require_roles
from pmo_common.auth.principal import Principal


def subject_routes(read_path: str, admin_path: str) -> APIRouter:
    """GET `read_path` for any authenticated caller and POST `admin_path` for PMO admins only,
    each answering {"subject": the caller's subject}."""
    router = APIRouter()

    @router.get(read_path)
    async def read_subject(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.post(admin_path)
    async def write_as_admin(
        principal: Annotated[Principal, Depends(require_roles("pmo_admin"))],
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    return router
