"""Standards' settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import ServiceSettings, database_url_field, settings_reader
from pydantic import AliasChoices, Field


class StandardsSettings(ServiceSettings):
    """Settings of the standards service (database: PMO_STANDARDS_DATABASE_URL)."""

    service_name: ClassVar[str] = "standards"
    database_url: str = database_url_field(validation_alias="PMO_STANDARDS_DATABASE_URL")
    action_overdue_check_seconds: float = Field(
        default=60.0,
        ge=0,
        validation_alias=AliasChoices(
            "PMO_STANDARDS_ACTION_OVERDUE_CHECK_SECONDS", "action_overdue_check_seconds"
        ),
        description=(
            "How often open recovery actions are checked for a passed due date; 0 turns the "
            "check off in this process (the service tests do, to call it themselves)"
        ),
    )


get_settings = settings_reader(StandardsSettings)
