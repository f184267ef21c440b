"""One record built from another whose fields have the same names.

A report's contents become the stored report, an event's payload becomes the projection, a
projected project gives the baseline the rules judge: copying the shared fields by name says
that they are the same, instead of listing each of them twice.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar, cast

R = TypeVar("R")


def copied(cls: type[R], source: object, **given: Any) -> R:
    """A `cls` record: each field `given`, the others from `source`'s attributes of their names.

    `source` may be any object with those attributes (a record, a pydantic payload).
    """
    taken = {
        field.name: getattr(source, field.name)
        for field in fields(cast(Any, cls))
        if field.name not in given
    }
    return cls(**taken, **given)


def fields_of(record: object) -> dict[str, Any]:
    """A dataclass record's fields by name, their values as they are (not copied deep)."""
    return {field.name: getattr(record, field.name) for field in fields(cast(Any, record))}
