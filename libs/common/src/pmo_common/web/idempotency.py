"""Idempotency-Key support for creating endpoints: a retried request replays the first answer.

Every creating route goes through `CreateOnce` (`OnceDep`): it fingerprints the method, the
path and the whole validated body, replays the stored answer for a repeated key, refuses a key
reused with another request (422), and otherwise runs the use case in one unit of work with the
key's record, so the answer and the effect commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Insert, Select, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.auth.principal import Principal
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.messaging.tables import MessagingTables
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import SessionDep

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a create safely: the same key replays the first response",
    ),
]


Created = TypeVar("Created", bound=BaseModel)


def fingerprint(body: Any, *, method: str = "", path: str = "") -> str:
    """A stable hash of a request: its method, the path it was sent to and its whole body."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _KeyStatements:
    """The reads and writes of one service's idempotency keys, built once (see rows.py)."""

    stored_answer: Select[Any]
    remember: Insert

    @classmethod
    def of(cls, table: Table) -> _KeyStatements:
        return cls(
            stored_answer=select(
                table.c.request_hash, table.c.status_code, table.c.response_body
            ).where(table.c.principal == bindparam("principal"), table.c.key == bindparam("key")),
            remember=insert(table),
        )


@cache
def _statements(table: Table) -> _KeyStatements:
    return _KeyStatements.of(table)


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
    query = _statements(tables.idempotency_keys).stored_answer
    found = await session.execute(query, {"principal": principal.subject, "key": key})
    row = found.first()
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
            _statements(tables.idempotency_keys).remember,
            {
                "principal": principal.subject,
                "key": key,
                "request_hash": request_hash,
                "status_code": status_code,
                "response_body": json.dumps(body, default=str),
                "created_at": datetime.now(UTC),
            },
        )
    except IntegrityError as exc:
        # A concurrent request with the same key won the race: this transaction is void (the
        # session rolls back when the request ends) and the client's retry gets the stored answer.
        raise ProblemException(
            409,
            "Request in progress",
            "Another request with this Idempotency-Key is being processed; retry shortly.",
        ) from exc


@dataclass(frozen=True, slots=True)
class CreateOnce:
    """Runs one creating request at most once per Idempotency-Key (see the module docstring)."""

    request: Request
    session: AsyncSession
    principal: Principal
    key: str | None

    async def run(
        self,
        body: BaseModel | None,
        create: Callable[[], Awaitable[Created]],
        *,
        location: Callable[[Created], str] | None = None,
        status_code: int = 201,
    ) -> JSONResponse:
        """Replay the stored answer, or create inside one unit of work and remember the answer."""
        tables = self._tables()
        request_hash = self._fingerprint(body)
        async with unit_of_work(self.session):
            replayed = await replay(self.session, tables, self.principal, self.key, request_hash)
            if replayed is not None:
                return replayed
            created = await create()
            answer = created.model_dump(mode="json")
            await remember(
                self.session,
                tables,
                self.principal,
                self.key,
                request_hash,
                status_code,
                answer,
            )
        headers = {"Location": location(created)} if location is not None else None
        return JSONResponse(answer, status_code=status_code, headers=headers)

    async def stored_answer(self, body: BaseModel | None) -> JSONResponse | None:
        """The answer stored for a retry of this request, read in a unit of work of its own.

        For a route that does expensive work before `run` (outside any transaction): a retry
        gets its stored answer without that work being done again. `run` still checks, for
        the first request racing its retry.
        """
        async with unit_of_work(self.session):
            return await replay(
                self.session, self._tables(), self.principal, self.key, self._fingerprint(body)
            )

    def _tables(self) -> MessagingTables:
        tables: MessagingTables = self.request.app.state.runtime.tables
        return tables

    def _fingerprint(self, body: BaseModel | None) -> str:
        return fingerprint(
            body.model_dump(mode="json") if body is not None else None,
            method=self.request.method,
            path=self.request.url.path,
        )


async def _create_once(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> CreateOnce:
    # SessionDep is cached per request, so the route's use case writes through this session.
    return CreateOnce(request=request, session=session, principal=principal, key=idempotency_key)


OnceDep = Annotated[CreateOnce, Depends(_create_once)]
