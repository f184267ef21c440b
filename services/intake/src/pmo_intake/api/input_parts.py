"""Parts several of intake's request bodies share: a baseline's milestones and planned-value
points, and how a partial update (a patch) documents itself."""

from __future__ import annotations

from typing import Any

from pmo_common.web.inputs import BoundedDate, PlainName, StrictInput, documented_examples
from pydantic import BaseModel, ConfigDict

from pmo_intake.api.field_types import Percent

MILESTONE_EXAMPLE = {"name": "Design signed off", "due_date": "2026-03-31"}


def patch_schema(*examples: dict[str, Any]) -> ConfigDict:
    """A patch's configuration: its examples, and `null` documented only where it is accepted."""

    def document(schema: dict[str, Any], model: type[BaseModel]) -> None:
        nullable: frozenset[str] = getattr(model, "nullable", frozenset())
        for name, field_schema in schema.get("properties", {}).items():
            options = field_schema.get("anyOf")
            if name in nullable or options is None:
                continue
            kept = [option for option in options if option != {"type": "null"}]
            field_schema.pop("default", None)  # left out means "unchanged", not null
            if len(kept) == 1:
                del field_schema["anyOf"]
                field_schema.update(kept[0])
            else:
                field_schema["anyOf"] = kept
        schema["examples"] = list(examples)

    return ConfigDict(json_schema_extra=document)


class MilestoneIn(StrictInput):
    """A baseline milestone."""

    model_config = documented_examples(MILESTONE_EXAMPLE)

    name: PlainName
    due_date: BoundedDate


class PlannedValuePointIn(StrictInput):
    """By `date`, `percent` of the budget is planned to be earned (cumulative)."""

    model_config = documented_examples({"date": "2026-06-30", "percent": 40})

    date: BoundedDate
    percent: Percent
