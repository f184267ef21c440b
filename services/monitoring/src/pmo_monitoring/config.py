"""Monitoring's settings."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from pmo_common.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, supported_locale
from pmo_common.settings import (
    ServiceSettings,
    check_interval_field,
    database_url_field,
    settings_reader,
)
from pydantic import AliasChoices, Field, ValidationInfo, field_validator


class MonitoringSettings(ServiceSettings):
    """Settings of the monitoring service (database: PMO_MONITORING_DATABASE_URL)."""

    service_name: ClassVar[str] = "monitoring"
    database_url: str = database_url_field(validation_alias="PMO_MONITORING_DATABASE_URL")
    overdue_check_seconds: float = check_interval_field(
        "overdue_check_seconds",
        validation_alias="PMO_MONITORING_OVERDUE_CHECK_SECONDS",
        default=300.0,
        checks="projects are checked for a missed status report",
    )
    default_locale: str = Field(
        default=DEFAULT_LOCALE,
        validation_alias=AliasChoices("PMO_DEFAULT_LOCALE", "default_locale"),
        description=(
            "The language of the API's messages and of the web view when a request has no "
            f"Accept-Language it can answer: one of {', '.join(SUPPORTED_LOCALES)}"
        ),
    )

    @field_validator("default_locale")
    @classmethod
    def _a_language_monitoring_speaks(cls, value: str) -> str:
        return supported_locale(value)

    # The development sign-in form (/ui/login): unset, it is on in development and test and
    # off in production, where the auth proxy signs people in and the form would be a second
    # way in beside it (where the proxy's session, sign-out and MFA rules do not apply).
    # true or false forces it either way.
    ui_sign_in_form: bool | None = Field(
        default=None, validation_alias="PMO_MONITORING_UI_SIGN_IN_FORM"
    )

    @property
    def sign_in_form_enabled(self) -> bool:
        """Whether /ui/login takes a token (PMO_MONITORING_UI_SIGN_IN_FORM, else the
        environment: every one but production)."""
        if self.ui_sign_in_form is not None:
            return self.ui_sign_in_form
        return self.environment != "production"

    # Where people reach notifications and standards (`https://pmo.example.com/notifications`):
    # a project's page links its open alert to `…/v1/alerts/{id}` and its open intervention to
    # `…/v1/interventions/{id}` under them; unset, it shows their ids without a link.
    notifications_url: str | None = Field(
        default=None, validation_alias="PMO_MONITORING_NOTIFICATIONS_URL"
    )
    standards_url: str | None = Field(default=None, validation_alias="PMO_MONITORING_STANDARDS_URL")

    @field_validator("notifications_url", "standards_url")
    @classmethod
    def _link_base(cls, value: str | None, info: ValidationInfo) -> str | None:
        """An absolute http(s) URL without query or fragment, kept without its trailing slash;
        empty means unset."""
        if value is None or not value.strip():
            return None
        base = value.strip().rstrip("/")
        parts = urlsplit(base)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"PMO_MONITORING_{str(info.field_name).upper()}: {value!r} is not an absolute "
                "http(s) URL without query or fragment (e.g. https://pmo.example.com/standards)"
            )
        return base


get_settings = settings_reader(MonitoringSettings)
