"""Standards' settings."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pmo_common.settings import ServiceSettings
from pydantic import AliasChoices, Field


class StandardsSettings(ServiceSettings):
    """Settings of the standards service (database: PMO_STANDARDS_DATABASE_URL)."""

    service_name: ClassVar[str] = "standards"
    database_url: str = Field(
        default="", validation_alias=AliasChoices("PMO_STANDARDS_DATABASE_URL", "database_url")
    )


@lru_cache
def get_settings() -> StandardsSettings:
    """The settings read once from the environment."""
    return StandardsSettings()
