"""Monitoring's settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import (
    ServiceSettings,
    check_interval_field,
    database_url_field,
    settings_reader,
)


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


get_settings = settings_reader(MonitoringSettings)
