"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pmo_common.observability import child_traceparent, correlation_id_var, traceparent_var

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


class CloudEvent(BaseModel):
    """A CloudEvent; `correlationid` and `traceparent` are extension attributes."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    correlationid: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        """Serialise in structured content mode."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        """Parse a structured-mode CloudEvent, raising ValueError when it is not one."""
        return cls.model_validate_json(raw)


def build_event(
    *,
    service: str,
    event_type: str,
    data: BaseModel,
    subject: str | None,
    schema_version: int = 1,
) -> CloudEvent:
    """Wrap a payload in an envelope carrying the current correlation and trace context."""
    correlation_id = correlation_id_var.get() or str(uuid.uuid4())
    return CloudEvent(
        source=f"/pmo/{service}",
        type=event_type,
        subject=subject,
        dataschema=f"urn:pmo:events:{event_type}:v{schema_version}",
        correlationid=correlation_id,
        traceparent=child_traceparent(traceparent_var.get()),
        data=data.model_dump(mode="json"),
    )
