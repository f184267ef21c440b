"""Between rows and records: a record's fields are its table's columns of the same names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar, cast

R = TypeVar("R")


def record_from(cls: type[R], row: Mapping[Any, Any], **converted: Any) -> R:
    """A `cls` record of a row: each field from its column, except the `converted` ones given."""
    plain = {
        field.name: row[field.name]
        for field in fields(cast(Any, cls))
        if field.name not in converted
    }
    return cls(**plain, **converted)


def values_of(record: object, **converted: Any) -> dict[str, Any]:
    """The column values of a record: each field's value, except the `converted` ones given."""
    plain = {field.name: getattr(record, field.name) for field in fields(cast(Any, record))}
    return {**plain, **converted}
