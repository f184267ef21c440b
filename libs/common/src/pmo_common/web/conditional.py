"""Conditional requests (RFC 9110 §8.8.3, §13.1.1): ETags on what can change, If-Match on writes.

The entity tag of a resource is a digest of the JSON representation the caller receives, so
every change a reader could see changes the tag, whichever code path made it, and no table
needs a counter for it. A write that carries `If-Match` proceeds only when one of the listed
tags matches the current representation by strong comparison (a weak tag `W/"…"` never
does), else it answers 412 with a problem body. A write without `If-Match` is accepted: the
header is how a client opts in to lost-update protection.

No lost updates: the handler reads the current row *locked* (`SELECT … FOR UPDATE`), compares,
changes and commits in one transaction. Two writers holding the same tag queue on the row
lock; the second one sees the first one's change, a different tag, and gets 412.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from pmo_common.problems import ProblemException

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the resource as last read: the write happens only if it "
        "still matches (412 otherwise). Optional: without it the write is not conditional.",
    ),
]
"""The `If-Match` request header, as a route parameter."""

_WILDCARD = "*"


def entity_tag(representation: BaseModel | dict[str, Any]) -> str:
    """The strong ETag of a representation: a quoted digest of its canonical JSON."""
    body = (
        representation.model_dump(mode="json")
        if isinstance(representation, BaseModel)
        else representation
    )
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


def listed_tags(if_match: str) -> list[str]:
    """The entity tags of an If-Match value, each as sent (quotes and any W/ prefix kept)."""
    tags: list[str] = []
    rest = if_match.strip()
    while rest:
        if rest.startswith(","):
            rest = rest[1:].lstrip()
            continue
        weak = rest.startswith("W/")
        body = rest[2:] if weak else rest
        if body.startswith('"'):
            end = body.find('"', 1)
            if end < 0:  # an unterminated tag matches nothing
                tags.append(rest)
                break
            tags.append(("W/" if weak else "") + body[: end + 1])
            rest = body[end + 1 :].lstrip()
        else:  # `*`, or a bare token (not a valid tag, kept so it fails the comparison)
            token, _, rest = rest.partition(",")
            tags.append(token.strip())
            rest = rest.lstrip()
    return tags


def matches(if_match: str | None, current: str | None) -> bool:
    """Whether a write may proceed: no If-Match, `*` on an existing resource, or a strong match.

    `current` is the resource's ETag, or None when it does not exist.
    """
    if if_match is None:
        return True
    for tag in listed_tags(if_match):
        if tag == _WILDCARD:
            if current is not None:
                return True
        elif current is not None and not tag.startswith("W/") and tag == current:
            return True
    return False


def precondition_failed(current: str | None) -> ProblemException:
    """The 412 answer of a write whose If-Match does not match."""
    if current is None:
        detail = "If-Match was sent, but the resource does not exist."
    else:
        detail = (
            "The resource changed since you read it: If-Match does not match its current "
            f"ETag {current}. Read it again, re-apply your change and send the new ETag."
        )
    return ProblemException(412, "Precondition failed", detail)


def require_match(if_match: str | None, representation: BaseModel | dict[str, Any]) -> None:
    """Refuse the write (412) unless If-Match allows it against the current representation."""
    current = entity_tag(representation)
    if not matches(if_match, current):
        raise precondition_failed(current)


def tag_response(response: Response, representation: BaseModel | dict[str, Any]) -> None:
    """Send the representation's ETag with the answer."""
    response.headers["ETag"] = entity_tag(representation)
