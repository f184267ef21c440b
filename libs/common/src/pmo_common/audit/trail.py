"""The append-only audit table and the one way to write to it.

A record says who acted (subject, e-mail and roles of the token, or the service itself for
work started by an event), when, the action, the resource, and per changed field its value
before and after, with the correlation id that ties it to the request's logs and events.
Rows are only ever inserted: no code path updates or deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Column, Integer, MetaData, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.audit.actor import acting_principal
from pmo_common.db.columns import email_column, timestamp_column
from pmo_common.observability import correlation_id_var

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")

State = BaseModel | Mapping[str, Any] | None
"""A resource as it was before or is after a change (None: it did not or no longer exists)."""


def audit_table(metadata: MetaData) -> Table:
    """Declare audit_records on a service's metadata (created by `create_audit_table`)."""
    return Table(
        "audit_records",
        metadata,
        Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        timestamp_column("recorded_at", index=True),
        email_column("actor_subject", index=True),
        email_column("actor_email", nullable=True, index=True),
        Column("actor_roles", JSON, nullable=False),
        Column("action", String(100), nullable=False),
        Column("resource_type", String(64), nullable=False),
        Column("resource_id", String(200), nullable=False, index=True),
        Column("changes", JSON, nullable=False),
        Column("correlation_id", String(200), nullable=True),
    )


def _json_fields(state: State) -> dict[str, Any]:
    """The state's fields as JSON values (dates as ISO text, and so on)."""
    if state is None:
        return {}
    if isinstance(state, BaseModel):
        return state.model_dump(mode="json")
    fields: dict[str, Any] = _JsonFields(fields=dict(state)).model_dump(mode="json")["fields"]
    return fields


class _JsonFields(BaseModel):
    fields: dict[str, Any]


def field_changes(before: State, after: State) -> dict[str, dict[str, Any]]:
    """Each field whose value differs: `{field: {"before": old, "after": new}}`.

    A field absent on one side counts as null there, so a creation lists every field with
    `before: null` and a deletion every field with `after: null`.
    """
    old, new = _json_fields(before), _json_fields(after)
    return {
        name: {"before": old.get(name), "after": new.get(name)}
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    }


@dataclass(frozen=True, slots=True)
class AuditTrail:
    """One service's audit trail: its table and the name it acts under for its own work."""

    table: Table
    service: str

    async def record(
        self,
        session: AsyncSession,
        *,
        action: str,
        resource_type: str,
        resource_id: str,
        before: State = None,
        after: State = None,
    ) -> None:
        """Append one record to the trail, in the session's (the change's) transaction."""
        principal = acting_principal.get()
        await session.execute(
            insert(self.table).values(
                recorded_at=datetime.now(UTC),
                actor_subject=principal.subject if principal else f"service:{self.service}",
                actor_email=principal.email if principal else None,
                actor_roles=sorted(principal.roles) if principal else ["service"],
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                changes=field_changes(before, after),
                correlation_id=correlation_id_var.get(),
            )
        )
