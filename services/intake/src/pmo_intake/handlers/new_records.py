"""What every record a use case creates gets: a fresh id and the time it was created (and, on
a record that keeps when it last changed, that same time)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

R = TypeVar("R")


def new_record(record_type: Callable[..., R], **fields: Any) -> R:
    """A `record_type` of the fields given, with a fresh id and created now (UTC)."""
    return record_type(id=str(uuid.uuid4()), created_at=datetime.now(UTC), **fields)


def new_updatable_record(record_type: Callable[..., R], **fields: Any) -> R:
    """A `new_record` of a type that also keeps when it last changed: when it was created."""
    now = datetime.now(UTC)
    return record_type(id=str(uuid.uuid4()), created_at=now, updated_at=now, **fields)
