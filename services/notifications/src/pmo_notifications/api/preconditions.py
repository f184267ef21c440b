"""If-Match on notifications' writes, checked by the use case on the record it read locked.

The ETag compared is that of the representation the same caller gets from the resource's GET,
so the route hands the use case a check built from that view.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pmo_common.web.conditional import matches, precondition_failed, require_match, tag_response
from pydantic import BaseModel

R = TypeVar("R")


def still_as_read(
    if_match: str | None, view: Callable[[R], BaseModel]
) -> Callable[[R | None], None]:
    """412 unless If-Match allows the write on the current record (None: it is gone, which no
    tag matches: only a write without If-Match goes on)."""

    def check(current: R | None) -> None:
        if current is None:
            if not matches(if_match, None):
                raise precondition_failed(None)
            return
        require_match(if_match, view(current))

    return check


def stale_tag_responses(resource: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of the 412 a conditional write on `resource` may answer."""
    return {412: {"description": f"If-Match does not match the {resource}'s current ETag"}}


def tagged(answer: JSONResponse, *, hidden: tuple[str, ...] = ()) -> JSONResponse:
    """A creating answer with the ETag of the resource as its GET shows it (without the fields
    shown only on creation, `hidden`)."""
    shown = json.loads(bytes(answer.body))
    tag_response(answer, {name: value for name, value in shown.items() if name not in hidden})
    return answer
