"""How intake's use cases record a change in the audit trail, in the change's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.audit_trail import trail

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


async def record_change(
    session: AsyncSession,
    action: str,
    resource_id: str,
    *,
    before: DataclassInstance | Mapping[str, Any] | None = None,
    after: DataclassInstance | Mapping[str, Any] | None = None,
) -> None:
    """Append `action` (`<resource type>.<verb>`, e.g. project.updated) on the resource to the
    trail, with each field of the record that differs between `before` and `after` (a record,
    a mapping, or None where it did not or no longer exists)."""
    await trail.record(
        session,
        action=action,
        resource_type=action.partition(".")[0],
        resource_id=resource_id,
        before=_fields(before),
        after=_fields(after),
    )


def _fields(state: DataclassInstance | Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if state is None or isinstance(state, Mapping):
        return state
    return asdict(state)
