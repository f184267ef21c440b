"""Validated settings shared by every service (environment variables prefixed PMO_)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "dev-secret-change-me-0123456789abcdef"  # noqa: S105 (refused in production)
_DAY = 86400.0


class CommonSettings(BaseSettings):
    """Configuration every service reads; names are part of the external contract."""

    model_config = SettingsConfigDict(env_prefix="PMO_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    data_dir: Path = Path(".data")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_enabled: bool = True
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_topic_replication: int = Field(default=1, ge=1)
    consumer_max_attempts: int = Field(default=3, ge=1, le=20)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    outbox_poll_interval_seconds: float = Field(default=1.0, gt=0)
    auth_jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    """Largest request body accepted, in bytes (PMO_MAX_BODY_BYTES); larger bodies get 413."""

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> CommonSettings:
        placeholder = self.auth_jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET
        if self.environment == "production" and placeholder and not self.auth_jwks_url:
            raise ValueError(
                "PMO_AUTH_JWT_SECRET still holds the development placeholder: set a real secret "
                "or PMO_AUTH_JWKS_URL before running with PMO_ENVIRONMENT=production"
            )
        if len(self.auth_jwt_secret.get_secret_value()) < 32 and not self.auth_jwks_url:
            raise ValueError("PMO_AUTH_JWT_SECRET must be at least 32 characters long")
        return self


class ServiceSettings(CommonSettings):
    """Settings of one service; subclasses name the service and alias its database URL."""

    service_name: ClassVar[str] = "service"
    database_url: str = ""
    # Retention of the messaging tables (messaging/retention.py): every
    # `retention_interval_seconds` (0: never, in this process) each replica deletes published
    # outbox rows, processed-event ids and Idempotency-Key records older than these. Processed
    # ids outlive Kafka's 7-day topic retention, so no event the broker can still redeliver is
    # forgotten; unpublished outbox rows are never deleted.
    retention_outbox_seconds: float = Field(default=7 * _DAY, gt=0)
    retention_processed_events_seconds: float = Field(default=14 * _DAY, gt=0)
    retention_idempotency_seconds: float = Field(default=_DAY, gt=0)
    retention_interval_seconds: float = Field(default=600.0, ge=0)

    @model_validator(mode="after")
    def _processed_ids_outlive_published_events(self) -> ServiceSettings:
        # A published event kept in the outbox can be sent again (a replay from the outbox after
        # a lost topic): its consumers must still remember having applied it.
        if self.retention_processed_events_seconds <= self.retention_outbox_seconds:
            raise ValueError(
                "PMO_RETENTION_PROCESSED_EVENTS_SECONDS must be longer than "
                "PMO_RETENTION_OUTBOX_SECONDS (and than the Kafka topics' retention)"
            )
        return self

    @model_validator(mode="after")
    def _default_to_sqlite_under_data_dir(self) -> ServiceSettings:
        if not self.database_url:
            path = (self.data_dir / f"{self.service_name}.db").resolve()
            self.database_url = f"sqlite+aiosqlite:///{path}"
        return self

    @property
    def consumer_group(self) -> str:
        """Kafka consumer group shared by all replicas of this service."""
        return f"pmo-{self.service_name}"


S = TypeVar("S", bound=ServiceSettings)


def database_url_field(*, validation_alias: str) -> Any:
    """A service's `database_url`, read from its own variable (PMO_<SERVICE>_DATABASE_URL)."""
    # The field's own name stays accepted too, as it always was (keyword arguments, tests).
    return Field(default="", validation_alias=AliasChoices(validation_alias, "database_url"))


def check_interval_field(
    field_name: str, *, validation_alias: str, default: float, checks: str
) -> Any:
    """How often a service's periodic check runs, in seconds; 0 turns it off in this process.

    `checks` says what each pass looks for ("open recovery actions are checked for a passed
    due date"); like `database_url_field`, the field's own name stays accepted too.
    """
    return Field(
        default=default,
        ge=0,
        validation_alias=AliasChoices(validation_alias, field_name),
        description=(
            f"How often {checks}; 0 turns the check off in this process (the service tests do, "
            "to call it themselves)"
        ),
    )


def settings_reader(settings_class: type[S]) -> Callable[[], S]:
    """A service's `get_settings()`: its settings, read from the environment once."""

    @lru_cache(maxsize=1)
    def get_settings() -> S:
        return settings_class()

    return get_settings
