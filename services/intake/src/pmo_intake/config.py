"""Intake's settings."""

from __future__ import annotations

from typing import ClassVar

from pmo_common.settings import ServiceSettings, database_url_field, settings_reader


class IntakeSettings(ServiceSettings):
    """Settings of the intake service (database: PMO_INTAKE_DATABASE_URL)."""

    service_name: ClassVar[str] = "intake"
    database_url: str = database_url_field(validation_alias="PMO_INTAKE_DATABASE_URL")


get_settings = settings_reader(IntakeSettings)
