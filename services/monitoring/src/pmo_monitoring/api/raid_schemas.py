"""Request and response bodies of the RAID register (docs/adr/0025-raid-register.md).

One input model for every kind: which fields a kind has is the register's rule
(domain/raid.py), checked after parsing, so that a field of another kind is refused with a
problem naming it (`body.severity: not a field of a risk ...`) rather than an error about a
union member. Unknown fields are refused by the models themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pmo_common.web.inputs import (
    BoundedDate,
    Number,
    PatchInput,
    PlainName,
    PlainText,
    StrictInput,
    WholeNumber,
    documented_examples,
)
from pmo_common.web.schemas import OutputModel
from pydantic import EmailStr, Field, StringConstraints

RaidKindIn = Literal["risk", "assumption", "issue", "decision", "dependency"]
RaidStatusIn = Literal["open", "mitigated", "closed"]
SeverityIn = Literal["low", "medium", "high", "critical"]
Text = Annotated[PlainText, StringConstraints(max_length=4000)]
Probability = Annotated[Number, Field(ge=0, le=1)]
Impact = Annotated[WholeNumber, Field(ge=1, le=5)]
ProjectId = Annotated[str, StringConstraints(min_length=1, max_length=36)]

_RISK: dict[str, Any] = {
    "kind": "risk",
    "title": "Key supplier delivers the hardware late",
    "owner": "ada.lovelace@example.com",
    "probability": 0.3,
    "impact": 4,
    "response": "Second supplier qualified; order placed two weeks early.",
}
_DEPENDENCY: dict[str, Any] = {
    "kind": "dependency",
    "title": "Identity platform live",
    "depends_on_project_id": "0b8f6f9e-3c1a-4d55-9a55-2f0d3b6a9c11",
    "needed_by": "2026-09-01",
}


class RaidItemFields(StrictInput):
    """The fields of an item besides its kind; each kind has some of them (see the ADR)."""

    description: Text | None = None
    owner: EmailStr | None = Field(None, description="Required for a risk and an issue")
    probability: Probability | None = Field(None, description="risk: 0-1")
    impact: Impact | None = Field(None, description="risk: 1-5")
    response: Text | None = Field(None, description="risk: the response planned or in place")
    severity: SeverityIn | None = Field(None, description="issue")
    due_date: BoundedDate | None = Field(None, description="issue: when it must be resolved")
    decided_by: PlainName | None = Field(None, description="decision: who took it")
    decided_on: BoundedDate | None = Field(None, description="decision: when")
    depends_on_project_id: ProjectId | None = Field(
        None, description="dependency: the project this one waits for (not itself)"
    )
    needed_by: BoundedDate | None = Field(
        None, description="dependency: the date this project needs the other one done by"
    )


class RaidItemIn(RaidItemFields):
    """A new item of a project's RAID register; its status defaults to open."""

    model_config = documented_examples(
        _RISK,
        _DEPENDENCY,
        {
            "kind": "issue",
            "title": "Test lab unavailable",
            "owner": "grace@example.com",
            "severity": "high",
            "due_date": "2026-06-30",
        },
        {
            "kind": "decision",
            "title": "Go with vendor B",
            "decided_by": "Steering committee",
            "decided_on": "2026-03-12",
        },
        {"kind": "assumption", "title": "The pilot site stays open over the summer"},
    )

    kind: RaidKindIn
    title: PlainName
    status: RaidStatusIn = Field("open", description="open or closed; a risk may be mitigated")


class RaidItemPatch(RaidItemFields, PatchInput):
    """A change of an item: the fields sent replace its values; its kind never changes."""

    model_config = documented_examples(
        {"status": "mitigated", "probability": 0.1},
        {"needed_by": "2026-10-01"},
        {"status": "closed"},
    )
    nullable: ClassVar[frozenset[str]] = frozenset({"description", "owner", "response", "due_date"})

    title: PlainName | None = None
    status: RaidStatusIn | None = None


class RaidItemOut(OutputModel):
    """An item of a project's RAID register; the fields of other kinds are null."""

    id: str
    project_id: str
    kind: RaidKindIn
    title: str
    description: str | None
    owner: str | None
    status: RaidStatusIn
    probability: float | None
    impact: int | None
    response: str | None
    severity: SeverityIn | None
    due_date: date | None
    decided_by: str | None
    decided_on: date | None
    depends_on_project_id: str | None
    needed_by: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
