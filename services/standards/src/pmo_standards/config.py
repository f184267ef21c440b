"""Standards' settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import (
    ServiceSettings,
    check_interval_field,
    database_url_field,
    settings_reader,
)


class StandardsSettings(ServiceSettings):
    """Settings of the standards service (database: PMO_STANDARDS_DATABASE_URL)."""

    service_name: ClassVar[str] = "standards"
    database_url: str = database_url_field(validation_alias="PMO_STANDARDS_DATABASE_URL")
    action_overdue_check_seconds: float = check_interval_field(
        "action_overdue_check_seconds",
        validation_alias="PMO_STANDARDS_ACTION_OVERDUE_CHECK_SECONDS",
        default=60.0,
        checks="open recovery actions are checked for a passed due date",
    )


get_settings = settings_reader(StandardsSettings)
