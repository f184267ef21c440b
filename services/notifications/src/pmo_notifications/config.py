"""Notifications' settings: database, SMTP, webhook policy and delivery retries."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import ServiceSettings, database_url_field, settings_reader
from pydantic import Field, SecretStr


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
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Aliases carry the service prefix the contract fixes; code reads the short field names.
    webhook_allow_private: bool = Field(
        default=False, validation_alias="PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE"
    )
    delivery_max_attempts: int = Field(
        default=5, ge=1, le=50, validation_alias="PMO_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS"
    )
    delivery_backoff_seconds: float = Field(
        default=1.0, ge=0, validation_alias="PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS"
    )
    webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, le=120, validation_alias="PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS"
    )
    delivery_poll_interval_seconds: float = Field(
        default=0.2, gt=0, validation_alias="PMO_NOTIFICATIONS_DELIVERY_POLL_INTERVAL_SECONDS"
    )


get_settings = settings_reader(NotificationsSettings)
