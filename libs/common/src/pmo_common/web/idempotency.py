"""Idempotency-Key support for creating endpoints: a retried request replays the first answer."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.auth.principal import Principal
from pmo_common.messaging.tables import MessagingTables
from pmo_common.problems import ProblemException

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a create safely: the same key replays the first response",
    ),
]


def fingerprint(body: Any, *, route: str = "") -> str:
    """A stable hash of a request: the route it was sent to and its body."""
    canonical = json.dumps({"route": route, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replay(
    session: AsyncSession,
    tables: MessagingTables,
    principal: Principal,
    key: str | None,
    request_hash: str,
) -> JSONResponse | None:
    """The stored response for this key, or None when the key is new (or absent)."""
    if key is None:
        return None
    table = tables.idempotency_keys
    row = (
        await session.execute(
            select(table.c.request_hash, table.c.status_code, table.c.response_body).where(
                table.c.principal == principal.subject, table.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise ProblemException(
            422,
            "Idempotency key reused",
            "This Idempotency-Key was already used with a different request body.",
            errors=[{"field": "header.Idempotency-Key", "reason": "reused with another body"}],
        )
    return JSONResponse(
        json.loads(row.response_body),
        status_code=row.status_code,
        headers={"Idempotent-Replayed": "true"},
    )


async def remember(
    session: AsyncSession,
    tables: MessagingTables,
    principal: Principal,
    key: str | None,
    request_hash: str,
    status_code: int,
    body: Any,
) -> None:
    """Store the response of a keyed request in the caller's transaction."""
    if key is None:
        return
    try:
        await session.execute(
            insert(tables.idempotency_keys).values(
                principal=principal.subject,
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                response_body=json.dumps(body, default=str),
                created_at=datetime.now(UTC),
            )
        )
    except IntegrityError as exc:
        # A concurrent request with the same key won the race: this transaction is void (the
        # session rolls back when the request ends) and the client's retry gets the stored answer.
        raise ProblemException(
            409,
            "Request in progress",
            "Another request with this Idempotency-Key is being processed; retry shortly.",
        ) from exc
