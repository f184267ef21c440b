"""If-Match and ETag on intake's routes (docs/adr/0027).

The routes know the representation a caller reads; the use cases know when the row is locked.
`if_match` turns the header and that representation into the `Precondition` a use case runs on
the locked record; `written_if_matching` runs a write that way and answers the result with its
ETag; `tagged` puts the ETag on an answer `CreateOnce.run` built.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Response
from fastapi.responses import JSONResponse
from pmo_common.web.conditional import entity_tag, require_match, tag_response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.handlers.conditional_writes import Lock, write_if_matching
from pmo_intake.handlers.preconditions import Precondition, unconditional

R = TypeVar("R")


def if_match(
    header: str | None, represent: Callable[[R], BaseModel | Awaitable[BaseModel]]
) -> Precondition[R]:
    """The check that the locked record, as `represent` shows it to the caller, still has the
    ETag the caller sent (412 otherwise); without the header, no check."""
    if header is None:
        return unconditional

    async def check(current: R) -> None:
        shown = represent(current)
        require_match(header, shown if isinstance(shown, BaseModel) else await shown)

    return check


def tagged(response: JSONResponse) -> JSONResponse:
    """The answer with the ETag of the representation it carries (a success only)."""
    if response.status_code < 300:
        response.headers["ETag"] = entity_tag(json.loads(bytes(response.body)))
    return response


Shown = TypeVar("Shown", bound=BaseModel)


def with_etag(response: Response, representation: Shown) -> Shown:
    """The representation to answer, its ETag set on the response."""
    tag_response(response, representation)
    return representation


async def written_if_matching(
    session: AsyncSession,
    response: Response,
    *,
    lock: Lock[R],
    record_id: str,
    if_match_header: str | None,
    shown_as: type[Shown],
    write: Callable[[], Awaitable[R]],
) -> Shown:
    """Run `write` on the record locked and as the caller read it (`shown_as`, 412 otherwise);
    the written record as `shown_as`, with its ETag."""
    written = await write_if_matching(
        session,
        lock=lock,
        record_id=record_id,
        check=if_match(if_match_header, shown_as.model_validate),
        write=write,
    )
    return with_etag(response, shown_as.model_validate(written))
