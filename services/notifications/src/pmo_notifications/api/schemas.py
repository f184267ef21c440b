"""Request and response bodies of notifications' API.

Request bodies use the shared input vocabulary (`pmo_common.web.inputs`): bad input answers 422
naming the field, never a 500. Each carries a realistic example, shown in the OpenAPI document
(a unit test validates every example against its model).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pmo_common.web.inputs import (
    EARLIEST_DATE,
    LATEST_DATE,
    PlainName,
    PlainText,
    StrictInput,
    WholeNumber,
    documented_examples,
)
from pmo_common.web.schemas import OutputModel
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from pmo_notifications.domain.delivery_grouping import MAX_GROUP_SECONDS
from pmo_notifications.domain.escalation_ladder import (
    MAX_AFTER_SECONDS,
    MAX_LEVELS,
    MAX_REPEAT,
    RECIPIENT_KEYWORDS,
)

Channel = Literal["email", "webhook", "slack", "teams"]
# The languages messages are written in (pmo_common.i18n.SUPPORTED_LOCALES).
Locale = Literal["en", "fr"]
SeverityName = Literal["info", "warning", "critical"]
AlertStatusName = Literal["open", "acknowledged", "resolved"]
# The kinds of alert (pmo_notifications.domain.alert_rules.ALERT_KINDS).
AlertKindName = Literal["at_risk", "early_warning", "report_overdue", "action_overdue"]
DeliveryStatusName = Literal["pending", "delivered", "retrying", "failed", "skipped", "grouped"]
ReferenceId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$")
]
EventTypeName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _within_calendar(instant: datetime) -> datetime:
    # The instant's UTC date within the years the shared BoundedDate allows: beyond them the
    # conversion to UTC the service makes before storing would overflow (a 500, not a 422).
    try:
        day = instant.astimezone(UTC).date()
    except OverflowError:
        day = None
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE} (UTC)")
    return instant


Instant = Annotated[AwareDatetime, AfterValidator(_within_calendar)]
"""A point in time with its offset (`2026-03-02T18:00:00+05:00`), in the years 1900-2200."""


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text.strip()


Note = Annotated[PlainText, StringConstraints(max_length=2000)]
"""A free-text note: line breaks allowed, control and bidi characters not; at most 2000."""

ReasonText = Annotated[Note, Field(min_length=1), AfterValidator(_not_blank)]
"""A note that must say something: not blank, surrounding spaces dropped."""

Target = Annotated[PlainText, StringConstraints(min_length=3, max_length=2000, pattern=r"^\S+$")]
"""An e-mail address or a URL: no spaces, no control or bidi characters (its channel vets it)."""


class ReasonOut(OutputModel):
    """Why a project is not green."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None


class SeverityChangeOut(OutputModel):
    """One raise or lowering of an alert's severity as its project's condition moved."""

    at: datetime
    from_: SeverityName = Field(validation_alias="previous", serialization_alias="from")
    to: SeverityName = Field(validation_alias="current")


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
    escalation_level: int = Field(
        description="The escalation level reached while unacknowledged; 0: not escalated yet"
    )
    next_escalation_at: datetime | None = Field(
        description="When the next escalation step is due; null when none is (acknowledged, "
        "resolved, at the top of the ladder, or no policy applies)"
    )
    severity_changes: list[SeverityChangeOut] = Field(
        description="Each raise or lowering of the severity, oldest first; the alert keeps its "
        "id (an at-risk alert is a warning while amber, critical while red)"
    )


class AlertResolve(StrictInput):
    """An optional note on how the alert was dealt with."""

    model_config = documented_examples(
        {"note": "Budget re-forecast approved by the sponsor; CPI back above 0.95."}
    )

    note: Note | None = None


class SubscriptionCreate(StrictInput):
    """What to receive, where, and for which projects."""

    model_config = documented_examples(
        {
            "channel": "webhook",
            "target": "https://hooks.example.com/pmo/alerts",
            "event_types": ["project.at_risk", "project.recovered"],
            "portfolio_id": "pf-digital",
            "min_severity": "warning",
        },
        {
            "channel": "email",
            "target": "ada.lovelace@example.com",
            "event_types": ["alert.raised", "alert.resolved"],
            "project_id": "3f2a9c1e-apollo",
            "min_severity": "critical",
            "locale": "fr",
        },
        {
            "channel": "webhook",
            "target": "https://hooks.example.com/pmo/portfolio-digest",
            "event_types": ["project.at_risk", "alert.raised"],
            "portfolio_id": "pf-digital",
            "group_wait_seconds": 30,
            "group_interval_seconds": 300,
        },
    )

    channel: Channel
    target: Target = Field(
        description="An e-mail address or an http(s) URL. Others than PMO admins may subscribe "
        "e-mail addresses only in the domains PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS lists"
    )
    event_types: list[EventTypeName] = Field(min_length=1, max_length=30)
    portfolio_id: ReferenceId | None = None
    project_id: ReferenceId | None = None
    min_severity: SeverityName = "info"
    locale: Locale | None = Field(
        default=None,
        description="The language of its e-mails and chat messages (`en`, `fr`); by default "
        "PMO_DEFAULT_LOCALE, as it is when each message is sent. Webhooks carry the event as is",
    )
    group_wait_seconds: WholeNumber = Field(
        default=0,
        ge=0,
        le=MAX_GROUP_SECONDS,
        description="0: each event is delivered at once. Above 0: the events of one portfolio "
        "go out together, as one delivery (a `pmo.alert.group` CloudEvent, or one summary "
        "e-mail); the first event of a group waits this long for others to join it",
    )
    group_interval_seconds: WholeNumber = Field(
        default=0,
        ge=0,
        le=MAX_GROUP_SECONDS,
        description="Once a group went out, the events that follow wait until this long after "
        "that delivery (0: they start a new group, which waits group_wait_seconds). Needs "
        "group_wait_seconds above 0",
    )


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
    locale: Locale | None = Field(
        description="The language of its messages; null: PMO_DEFAULT_LOCALE"
    )
    group_wait_seconds: int = Field(description="0: not grouped")
    group_interval_seconds: int
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

    model_config = documented_examples(
        {
            "portfolio_id": "pf-digital",
            "reason": "Quarter close: figures are being re-baselined",
            "starts_at": "2026-03-30T18:00:00+02:00",
            "ends_at": "2026-04-02T09:00:00+02:00",
        },
        {
            "project_id": "3f2a9c1e-apollo",
            "reason": "Data migration weekend",
            "ends_at": "2026-05-04T06:00:00+05:00",
        },
    )

    project_id: ReferenceId | None = None
    portfolio_id: ReferenceId | None = None
    reason: ReasonText
    starts_at: Instant | None = Field(
        default=None, description="Defaults to now; any offset, kept as the same instant"
    )
    ends_at: Instant = Field(description="Any offset; the silence ends at this very instant")


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
    grouped_into: str | None = Field(
        default=None,
        description="For a `grouped` delivery: the `message_id` of its group's one delivery "
        "once the group went out (null while it waits, until `next_attempt_at` at the latest)",
    )


class DeliveryResend(StrictInput):
    """Which given-up deliveries to send again: those planned in [created_from, created_to),
    of one subscription and/or one channel."""

    model_config = documented_examples(
        {
            "subscription_id": "8d0f7a52-3c1e-4c7b-9a55-0f1e2d3c4b5a",
            "created_from": "2026-03-02T09:00:00+01:00",
            "created_to": "2026-03-02T15:00:00+01:00",
        },
        {
            "channel": "email",
            "status": "failed",
            "created_from": "2026-03-01T00:00:00Z",
            "created_to": "2026-03-03T00:00:00Z",
        },
    )

    subscription_id: ReferenceId | None = None
    channel: Channel | None = None
    status: Literal["failed"] = Field(
        default="failed",
        description="Only deliveries given up are re-sent; those still retrying go as soon as "
        "their target is back",
    )
    created_from: Instant = Field(
        description="Planned at or after this instant (the `created_at` of the delivery's first "
        "attempt)"
    )
    created_to: Instant = Field(
        description="Planned before this instant; at most 31 days after created_from"
    )


class DeliveriesResent(OutputModel):
    """How many given-up deliveries were queued again (at most 1000 per request)."""

    resent: int


_KEYWORDS = ", ".join(RECIPIENT_KEYWORDS)


def _recipient(entry: str) -> str:
    # A keyword the ladder resolves per project, or an address told as it is.
    entry = entry.strip()
    if entry in RECIPIENT_KEYWORDS:
        return entry
    try:
        return validate_email(entry, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"must be one of {_KEYWORDS}, or an e-mail address ({exc})") from exc


Recipient = Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_recipient)]
"""`manager`, `sponsor`, `intervention_owner`, `pmo` (PMO_NOTIFICATIONS_PMO_EMAILS), or an
e-mail address."""


class EscalationLevelIn(StrictInput):
    """One step of the ladder: how long after the previous one, and whom it tells."""

    model_config = documented_examples(
        {"after_seconds": 3600, "notify": ["sponsor", "pmo-desk@example.com"]}
    )

    after_seconds: WholeNumber = Field(
        ge=1,
        le=MAX_AFTER_SECONDS,
        description="Seconds after the previous step (level 1: after the alert opened)",
    )
    notify: list[Recipient] = Field(
        min_length=1, max_length=20, description=f"Each one of {_KEYWORDS}, or an e-mail address"
    )


class EscalationPolicyIn(StrictInput):
    """A ladder of people told in turn while an at-risk alert stays unacknowledged."""

    model_config = documented_examples(
        {
            "name": "Digital portfolio ladder",
            "portfolio_id": "pf-digital",
            "levels": [
                {"after_seconds": 3600, "notify": ["sponsor"]},
                {"after_seconds": 14400, "notify": ["intervention_owner", "pmo"]},
            ],
            "repeat": 1,
        },
        {
            "name": "Default",
            "portfolio_id": None,
            "levels": [{"after_seconds": 7200, "notify": ["manager", "pmo-desk@example.com"]}],
            "repeat": 0,
        },
    )

    name: PlainName
    portfolio_id: ReferenceId | None = Field(
        default=None, description="The portfolio whose alerts climb it; null: the default policy"
    )
    levels: list[EscalationLevelIn] = Field(min_length=1, max_length=MAX_LEVELS)
    repeat: WholeNumber = Field(
        default=0, ge=0, le=MAX_REPEAT, description="Times the ladder starts again from level 1"
    )


class EscalationLevelOut(OutputModel):
    """One step of the ladder."""

    after_seconds: int
    notify: list[str]


class EscalationPolicyOut(OutputModel):
    """An escalation policy."""

    id: str
    name: str
    portfolio_id: str | None
    levels: list[EscalationLevelOut]
    repeat: int
    created_at: datetime
    updated_at: datetime
