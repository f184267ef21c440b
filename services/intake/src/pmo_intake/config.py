"""Intake's settings."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pmo_common.settings import ServiceSettings
from pydantic import AliasChoices, Field


class IntakeSettings(ServiceSettings):
    """Settings of the intake service (database: PMO_INTAKE_DATABASE_URL)."""

    service_name: ClassVar[str] = "intake"
    database_url: str = Field(
        default="", validation_alias=AliasChoices("PMO_INTAKE_DATABASE_URL", "database_url")
    )


@lru_cache
def get_settings() -> IntakeSettings:
    """The settings read once from the environment."""
    return IntakeSettings()
