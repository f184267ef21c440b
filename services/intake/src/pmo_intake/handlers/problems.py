"""The problems intake's use cases answer with, shaped the same way wherever they arise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pmo_common.problems import ProblemException, not_found

T = TypeVar("T")


def name_taken(name: str) -> ProblemException:
    """A 409: a portfolio or programme already has this name."""
    return ProblemException(
        409,
        "Name taken",
        f"'{name}' is already used.",
        errors=[{"field": "body.name", "reason": "already used"}],
    )


async def refuse_a_taken_name(
    changes: Mapping[str, Any], current: str, taken: Callable[[str], Awaitable[bool]]
) -> None:
    """409 when `changes` rename a portfolio or programme to a name `taken` says is used."""
    renamed_to = changes.get("name", current)
    if renamed_to != current and await taken(renamed_to):
        raise name_taken(renamed_to)


def found(record: T | None, what: str, identifier: str) -> T:
    """The record a lookup found; a 404 naming what was looked for when it found none."""
    if record is None:
        raise not_found(what, identifier)
    return record
