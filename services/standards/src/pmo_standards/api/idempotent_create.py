"""Run a creating request once per Idempotency-Key, replaying the first answer on retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from pmo_common.auth.principal import Principal
from pmo_common.web.idempotency import fingerprint, remember, replay
from pmo_common.web.runtime import ServiceRuntime
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession


async def create_once(
    *,
    request: Request,
    session: AsyncSession,
    runtime: ServiceRuntime,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel,
    create: Callable[[], Awaitable[BaseModel]],
    location: Callable[[BaseModel], str] | None = None,
) -> JSONResponse:
    """Create in one transaction with the key's record; a repeated key replays the response.

    The fingerprint covers method and path as well as the body, so reusing a key on another
    endpoint is refused rather than answered with an unrelated resource.
    """
    request_hash = fingerprint(
        {"method": request.method, "path": request.url.path, "body": body.model_dump(mode="json")}
    )
    async with session.begin():
        replayed = await replay(session, runtime.tables, principal, idempotency_key, request_hash)
        if replayed is not None:
            return replayed
        created = await create()
        content = created.model_dump(mode="json")
        await remember(
            session, runtime.tables, principal, idempotency_key, request_hash, 201, content
        )
    headers = {"Location": location(created)} if location is not None else None
    return JSONResponse(content, status_code=201, headers=headers)
