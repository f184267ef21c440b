"""Standards' settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import ServiceSettings, database_url_field, settings_reader


class StandardsSettings(ServiceSettings):
    """Settings of the standards service (database: PMO_STANDARDS_DATABASE_URL)."""

    service_name: ClassVar[str] = "standards"
    database_url: str = database_url_field(validation_alias="PMO_STANDARDS_DATABASE_URL")


get_settings = settings_reader(StandardsSettings)
