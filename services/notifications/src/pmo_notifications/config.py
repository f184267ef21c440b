"""Notifications' settings: database, SMTP, webhook and e-mail target policy, delivery retries."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pmo_common.i18n import DEFAULT_LOCALE, supported_locale
from pmo_common.settings import ServiceSettings, database_url_field, settings_reader
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import NoDecode

# One allow-list entry: a domain (`example.com`) or every subdomain of one (`*.example.com`),
# in ASCII (an internationalised domain in its xn-- form).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN_ENTRY = re.compile(rf"(?:\*\.)?(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+")


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service (database: PMO_NOTIFICATIONS_DATABASE_URL)."""

    service_name: ClassVar[str] = "notifications"
    database_url: str = database_url_field(validation_alias="PMO_NOTIFICATIONS_DATABASE_URL")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_from: str = "pmo@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    # The whole SMTP conversation (connect, STARTTLS, login, every command and reply), not each
    # read: a server dribbling its replies cannot hold a sending slot for longer.
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Aliases carry the service prefix the contract fixes; code reads the short field names.
    webhook_allow_private: bool = Field(
        default=False, validation_alias="PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE"
    )
    # The retry schedule (domain/delivery_schedule.py): at least `delivery_max_attempts`
    # attempts, and retries until `delivery_give_up_after_seconds` have passed since the first
    # one; `delivery_backoff_seconds` scales the waits (1.0: 5 s, 30 s, 2 min, ... then hourly).
    delivery_max_attempts: int = Field(
        default=5, ge=1, le=50, validation_alias="PMO_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS"
    )
    delivery_backoff_seconds: float = Field(
        default=1.0, ge=0, validation_alias="PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS"
    )
    delivery_give_up_after_seconds: float = Field(
        default=86400.0,
        ge=0,
        validation_alias="PMO_NOTIFICATIONS_DELIVERY_GIVE_UP_AFTER_SECONDS",
    )
    # The whole request (connect, send, read), not each read.
    webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, le=120, validation_alias="PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS"
    )
    # Sends in flight to one webhook receiver (scheme, host and port) per replica. Over the
    # receiver's pooled keep-alive connections, 8 keep up with 50 webhooks a second to one
    # receiver answering within 150 ms, and leave most of the job's 20 sending slots to others.
    webhook_max_concurrency_per_host: int = Field(
        default=8,
        ge=1,
        le=20,
        validation_alias="PMO_NOTIFICATIONS_WEBHOOK_MAX_CONCURRENCY_PER_HOST",
    )
    # The circuit breaker of each target (a webhook receiver's scheme, host and port; the SMTP
    # server): after this many failed sends in a row nothing is sent to it for
    # `circuit_open_seconds`, then one probe is; its success closes the circuit.
    circuit_failure_threshold: int = Field(
        default=5, ge=1, le=1000, validation_alias="PMO_NOTIFICATIONS_CIRCUIT_FAILURE_THRESHOLD"
    )
    circuit_open_seconds: float = Field(
        default=30.0, gt=0, le=86400, validation_alias="PMO_NOTIFICATIONS_CIRCUIT_OPEN_SECONDS"
    )
    delivery_poll_interval_seconds: float = Field(
        default=0.2, gt=0, validation_alias="PMO_NOTIFICATIONS_DELIVERY_POLL_INTERVAL_SECONDS"
    )
    # Comma-separated in the environment; empty allows any domain (set it in production).
    allowed_email_domains: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias="PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS"
    )

    # How often the escalation ladder looks for unacknowledged alerts whose next step is due
    # (0 turns the ladder job off in this process).
    escalation_check_seconds: float = Field(
        default=30.0, ge=0, le=3600, validation_alias="PMO_NOTIFICATIONS_ESCALATION_CHECK_SECONDS"
    )
    # The addresses the `pmo` keyword of an escalation level means (comma-separated).
    pmo_emails: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias="PMO_NOTIFICATIONS_PMO_EMAILS"
    )
    # How often each replica looks for groups of deliveries that are due (ADR 0017): a group
    # goes out at most this long after its wait ends (0 turns the group job off in this process).
    group_check_seconds: float = Field(
        default=1.0, ge=0, le=3600, validation_alias="PMO_NOTIFICATIONS_GROUP_CHECK_SECONDS"
    )
    # Where people reach this service (`https://pmo.example.com/notifications`): Slack and Teams
    # messages link back to the alert under it (ADR 0019); unset, they carry no link.
    public_url: str | None = Field(default=None, validation_alias="PMO_NOTIFICATIONS_PUBLIC_URL")
    # Where people reach monitoring's web view (`https://pmo.example.com/monitoring`, serving
    # `/ui/`): e-mails link to its glossary (`/ui/glossary`); unset, they carry no such link.
    dashboard_url: str | None = Field(
        default=None, validation_alias="PMO_NOTIFICATIONS_DASHBOARD_URL"
    )
    # The language of messages to people without a subscription (the manager's e-mails, the
    # escalation ladder, the digests) and of subscriptions that name none (ADR 0023). The name
    # has no service prefix: every service reads it (the API's language without Accept-Language).
    default_locale: str = Field(default=DEFAULT_LOCALE, validation_alias="PMO_DEFAULT_LOCALE")

    # Digests (ADR 0018): daily (and on Mondays weekly) at this local hour of `timezone` (an
    # IANA name, also the zone the digests show times in), checked every
    # `digest_check_seconds` by each replica (0 turns digests off in this process).
    digest_hour: int = Field(
        default=7, ge=0, le=23, validation_alias="PMO_NOTIFICATIONS_DIGEST_HOUR"
    )
    timezone: str = Field(default="UTC", validation_alias="PMO_NOTIFICATIONS_TIMEZONE")
    digest_check_seconds: float = Field(
        default=60.0, ge=0, le=3600, validation_alias="PMO_NOTIFICATIONS_DIGEST_CHECK_SECONDS"
    )

    @property
    def delivery_claim_lease_seconds(self) -> float:
        """How long a claimed delivery stays this replica's: well past any send's deadline."""
        return max(30.0, 3 * max(self.webhook_timeout_seconds, self.smtp_timeout_seconds))

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Self:
        """A lease running out mid-send would let another replica send the message again."""
        longest = max(self.webhook_timeout_seconds, self.smtp_timeout_seconds)
        if self.delivery_claim_lease_seconds <= longest + 1.0:
            raise ValueError(
                "the delivery claim lease must outlast PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS "
                "and PMO_SMTP_TIMEOUT_SECONDS"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone (validated when the settings were read)."""
        return ZoneInfo(self.timezone)

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        """A name zoneinfo knows (`Europe/Paris`, `UTC`); refuses anything else by name."""
        name = value.strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(
                f"PMO_NOTIFICATIONS_TIMEZONE: {value!r} is not an IANA time zone name "
                "(for example Europe/Paris, America/New_York or UTC)"
            ) from exc
        return name

    @field_validator("pmo_emails", mode="before")
    @classmethod
    def _address_list(cls, value: object) -> object:
        """`pmo@example.com, desk@example.com` (or a list) as addresses; refuses bad ones."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        addresses: list[str] = []
        for item in items:
            address = str(item).strip()
            if not address:
                continue
            try:
                address = validate_email(address, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise ValueError(f"{address!r} is not an e-mail address: {exc}") from exc
            if address.lower() not in (known.lower() for known in addresses):
                addresses.append(address)
        return tuple(addresses)

    @field_validator("allowed_email_domains", mode="before")
    @classmethod
    def _domain_list(cls, value: object) -> object:
        """`example.com, *.example.org` (or a list) as lower-case entries; refuses bad ones."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            return value
        entries: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise ValueError("each e-mail domain must be a string")
            entry = item.strip().lower().rstrip(".")
            if not entry:
                continue
            if not _DOMAIN_ENTRY.fullmatch(entry):
                raise ValueError(
                    f"{item.strip()!r} is not a domain: write `example.com` (that domain only) "
                    "or `*.example.com` (its subdomains), internationalised ones in xn-- form"
                )
            if entry not in entries:
                entries.append(entry)
        return tuple(entries)

    @field_validator("public_url", "dashboard_url")
    @classmethod
    def _base_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """An absolute http(s) URL without query or fragment, kept without its trailing slash
        (links append their path); empty means unset."""
        if value is None or not value.strip():
            return None
        variable = _URL_VARIABLES[info.field_name or ""]
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"{variable}: {value!r} is not an absolute http(s) URL "
                "(for example https://pmo.example.com/notifications)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{variable} must have no query or fragment")
        return value.strip().rstrip("/")

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        """A language the messages are written in (`en`, `fr`); refuses any other by name."""
        return supported_locale(value)


# The variable each URL setting is read from, as its errors name it.
_URL_VARIABLES = {
    "public_url": "PMO_NOTIFICATIONS_PUBLIC_URL",
    "dashboard_url": "PMO_NOTIFICATIONS_DASHBOARD_URL",
}

get_settings = settings_reader(NotificationsSettings)
