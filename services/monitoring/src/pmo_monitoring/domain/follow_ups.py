"""What monitoring knows of the follow-up of a project: its open alerts and interventions.

Notifications owns alerts and standards owns interventions; monitoring keeps only their ids,
learnt from `alert.raised` / `alert.resolved` and `intervention.opened` / `intervention.closed`,
so a project's page can point at them (docs/adr/0021).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FollowUpKind = Literal["alert", "intervention"]
ALERT: FollowUpKind = "alert"
INTERVENTION: FollowUpKind = "intervention"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An alert or intervention about a project, as its events told it; open until closed_at."""

    kind: FollowUpKind
    item_id: str
    project_id: str
    title: str | None
    recorded_at: datetime
    closed_at: datetime | None
