"""Request and response bodies of notifications' API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pmo_common.web.schemas import OutputModel
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Channel = Literal["email", "webhook"]
SeverityName = Literal["info", "warning", "critical"]
AlertStatusName = Literal["open", "acknowledged", "resolved"]
DeliveryStatusName = Literal["pending", "delivered", "retrying", "failed", "skipped"]
ReferenceId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$")
]
EventTypeName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class StrictInput(BaseModel):
    """Inputs refuse fields they do not know, so typos are not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ReasonOut(OutputModel):
    """Why a project is not green."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None


class AlertOut(OutputModel):
    """An alert about one project."""

    id: str
    project_id: str
    project_name: str
    kind: str
    severity: SeverityName
    status: AlertStatusName
    title: str
    reasons: list[ReasonOut]
    rag: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None
    last_event_at: datetime


class AlertResolve(StrictInput):
    """An optional note on how the alert was dealt with."""

    note: str | None = Field(default=None, max_length=2000)


class SubscriptionCreate(StrictInput):
    """What to receive, where, and for which projects."""

    channel: Channel
    target: str = Field(
        min_length=3, max_length=2000, description="An e-mail address or an http(s) URL"
    )
    event_types: list[EventTypeName] = Field(min_length=1, max_length=30)
    portfolio_id: ReferenceId | None = None
    project_id: ReferenceId | None = None
    min_severity: SeverityName = "info"


class SubscriptionOut(OutputModel):
    """A subscription (its signing secret is never shown again after creation)."""

    id: str
    owner: str
    channel: Channel
    target: str
    event_types: list[str]
    portfolio_id: str | None
    project_id: str | None
    min_severity: SeverityName
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    """A new subscription; a webhook's signing secret is shown here, once."""

    secret: str | None = Field(
        default=None,
        description="Standard Webhooks signing secret (whsec_...); store it now, it is not "
        "shown again",
    )


class SilenceCreate(StrictInput):
    """A window during which a project's or portfolio's alerts notify nobody."""

    project_id: ReferenceId | None = None
    portfolio_id: ReferenceId | None = None
    reason: str = Field(min_length=1, max_length=2000)
    starts_at: AwareDatetime | None = Field(default=None, description="Defaults to now")
    ends_at: AwareDatetime


class SilenceOut(OutputModel):
    """A silence."""

    id: str
    project_id: str | None
    portfolio_id: str | None
    reason: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime
    active: bool


class DeliveryOut(OutputModel):
    """One attempt to deliver one event over one channel."""

    id: str
    message_id: str = Field(description="The webhook-id / Message-ID, the same on every retry")
    event_id: str
    event_type: str
    alert_id: str | None
    project_id: str | None
    subscription_id: str | None
    channel: Channel
    target: str
    attempt: int
    status: DeliveryStatusName
    http_status: int | None
    error: str | None
    created_at: datetime
    next_attempt_at: datetime
    attempted_at: datetime | None
    completed_at: datetime | None
