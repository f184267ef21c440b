"""Monitoring's settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import ServiceSettings, database_url_field, settings_reader
from pydantic import AliasChoices, Field


class MonitoringSettings(ServiceSettings):
    """Settings of the monitoring service (database: PMO_MONITORING_DATABASE_URL)."""

    service_name: ClassVar[str] = "monitoring"
    database_url: str = database_url_field(validation_alias="PMO_MONITORING_DATABASE_URL")
    overdue_check_seconds: float = Field(
        default=300.0,
        ge=0,
        validation_alias=AliasChoices(
            "PMO_MONITORING_OVERDUE_CHECK_SECONDS", "overdue_check_seconds"
        ),
        description=(
            "How often projects are checked for a missed status report; 0 turns the check "
            "off in this process (the service tests do, to call it themselves)"
        ),
    )


get_settings = settings_reader(MonitoringSettings)
