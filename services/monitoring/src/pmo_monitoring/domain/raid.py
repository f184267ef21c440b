"""The RAID register: a project's risks, assumptions, issues, decisions and dependencies.

Each kind has its own fields (Clarity's RAID log): a risk its probability, impact, response and
owner; an issue its severity, owner and due date; a decision who took it and when; a
dependency the project it waits for and the date it needs it by. Every item has a title, an
optional description and owner, and a status. A field of another kind is refused, never
silently kept, so a typo'd kind cannot hide a field (docs/adr/0025-raid-register.md).

Statuses: `open` and `closed` for every kind; a risk may also be `mitigated` (its response is
in place). Only open risks count in the risk exposure and only open dependencies can put a
project at risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

RaidKind = Literal["risk", "assumption", "issue", "decision", "dependency"]
RaidStatus = Literal["open", "mitigated", "closed"]
Severity = Literal["low", "medium", "high", "critical"]

KINDS: tuple[RaidKind, ...] = ("risk", "assumption", "issue", "decision", "dependency")
OPEN = "open"
CLOSED = "closed"
MITIGATED = "mitigated"

COMMON_FIELDS = frozenset({"title", "description", "owner", "status"})
"""Fields every kind has."""

KIND_FIELDS: Mapping[str, frozenset[str]] = {
    "risk": frozenset({"probability", "impact", "response"}),
    "assumption": frozenset(),
    "issue": frozenset({"severity", "due_date"}),
    "decision": frozenset({"decided_by", "decided_on"}),
    "dependency": frozenset({"depends_on_project_id", "needed_by"}),
}
"""Each kind's own fields, besides the common ones."""

REQUIRED_FIELDS: Mapping[str, frozenset[str]] = {
    "risk": frozenset({"probability", "impact", "owner"}),
    "assumption": frozenset(),
    "issue": frozenset({"severity", "owner"}),
    "decision": frozenset({"decided_by", "decided_on"}),
    "dependency": frozenset({"depends_on_project_id", "needed_by"}),
}
"""The fields an item of each kind cannot be without (the title always)."""

STATUSES: Mapping[str, frozenset[str]] = {
    kind: frozenset({OPEN, CLOSED} | ({MITIGATED} if kind == "risk" else set())) for kind in KINDS
}
"""The status vocabulary of each kind."""

KIND_SPECIFIC_FIELDS = frozenset().union(*KIND_FIELDS.values())


@dataclass(frozen=True, slots=True)
class RaidIssue:
    """A field of an item the register refuses, and why (the API names it `body.<field>`)."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class RaidItem:
    """One item of a project's register, as stored; fields of other kinds are None."""

    id: str
    project_id: str
    kind: RaidKind
    title: str
    description: str | None
    owner: str | None
    status: RaidStatus
    probability: float | None
    impact: int | None
    response: str | None
    severity: Severity | None
    due_date: date | None
    decided_by: str | None
    decided_on: date | None
    depends_on_project_id: str | None
    needed_by: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        """Open: a risk that counts in the exposure, a dependency that can put a project at risk."""
        return self.status == OPEN


def _field_list(kind: str) -> str:
    own = sorted(KIND_FIELDS[kind])
    return ", ".join(own) if own else "no fields of its own"


def foreign_field_issues(kind: str, sent: Iterable[str]) -> list[RaidIssue]:
    """A refusal for each sent field that belongs to another kind than `kind`."""
    return [
        RaidIssue(name, f"not a field of a {kind} (a {kind} has {_field_list(kind)})")
        for name in sorted(sent)
        if name in KIND_SPECIFIC_FIELDS and name not in KIND_FIELDS[kind]
    ]


def content_issues(kind: str, values: Mapping[str, Any]) -> list[RaidIssue]:
    """What an item of `kind` with these field values lacks or has wrong: required fields
    missing (or null), a status outside the kind's vocabulary."""
    issues = [
        RaidIssue(name, f"required for a {kind}")
        for name in sorted(REQUIRED_FIELDS[kind])
        if values.get(name) is None
    ]
    status = values.get("status")
    if status is not None and status not in STATUSES[kind]:
        allowed = ", ".join(sorted(STATUSES[kind]))
        issues.append(RaidIssue("status", f"a {kind}'s status is one of {allowed}"))
    return issues


def new_item_issues(kind: str, values: Mapping[str, Any], sent: Iterable[str]) -> list[RaidIssue]:
    """Everything wrong with a new item: fields of another kind, then its contents."""
    return foreign_field_issues(kind, sent) + content_issues(kind, values)


def changed_item(item: RaidItem, changes: Mapping[str, Any], *, now: datetime) -> RaidItem:
    """The item with `changes` applied (only fields it has; check them first)."""
    return replace(item, **{**dict(changes), "updated_at": now})


def change_issues(item: RaidItem, changes: Mapping[str, Any]) -> list[RaidIssue]:
    """Everything wrong with changing `item` so: fields of another kind, then the result."""
    foreign = foreign_field_issues(item.kind, changes)
    if foreign:
        return foreign
    merged = {**{name: getattr(item, name) for name in _ITEM_FIELDS}, **changes}
    return content_issues(item.kind, merged)


def as_kind(value: str) -> RaidKind:
    """A stored kind as the domain's type (ValueError for anything else)."""
    if value not in KINDS:
        raise ValueError(f"not a RAID kind: {value!r}")
    return value


_ITEM_FIELDS = tuple(RaidItem.__dataclass_fields__)
