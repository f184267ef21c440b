"""The problems notifications' use cases answer with, shaped the same way wherever they arise."""

from __future__ import annotations

from typing import TypeVar

from pmo_common.problems import not_found

T = TypeVar("T")


def found(record: T | None, what: str, identifier: str) -> T:
    """The record a lookup found; a 404 naming what was looked for when it found none."""
    if record is None:
        raise not_found(what, identifier)
    return record
