"""Settings: refused secrets, the SQLite default and the per-service database URL alias."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

import pytest
from pmo_common.settings import DEVELOPMENT_JWT_SECRET, CommonSettings, ServiceSettings
from pydantic import AliasChoices, Field, ValidationError

STRONG_SECRET = "a-real-secret-that-is-long-enough-0123456789"


class DemoSettings(ServiceSettings):
    """A service's settings, written the way every service writes them."""

    service_name: ClassVar[str] = "demo"
    database_url: str = Field(
        default="", validation_alias=AliasChoices("PMO_DEMO_DATABASE_URL", "database_url")
    )


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PMO_"):
            monkeypatch.delenv(name)


def test_development_accepts_the_placeholder_secret() -> None:
    settings = CommonSettings()
    assert settings.environment == "development"
    assert settings.auth_jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET


def test_production_refuses_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="PMO_AUTH_JWT_SECRET still holds"):
        CommonSettings()


def test_production_accepts_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_ENVIRONMENT", "production")
    monkeypatch.setenv("PMO_AUTH_JWT_SECRET", STRONG_SECRET)
    assert CommonSettings().auth_jwt_secret.get_secret_value() == STRONG_SECRET


def test_production_with_a_jwks_url_needs_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_ENVIRONMENT", "production")
    monkeypatch.setenv("PMO_AUTH_JWKS_URL", "https://idp.example/jwks.json")
    assert CommonSettings().auth_jwks_url == "https://idp.example/jwks.json"


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_a_short_secret_is_refused_everywhere(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("PMO_ENVIRONMENT", environment)
    monkeypatch.setenv("PMO_AUTH_JWT_SECRET", "too-short")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        CommonSettings()


def test_database_defaults_to_sqlite_under_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path))
    settings = DemoSettings()
    assert settings.database_url == f"sqlite+aiosqlite:///{(tmp_path / 'demo.db').resolve()}"
    assert settings.consumer_group == "pmo-demo"


def test_the_service_database_url_alias_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+asyncpg://pmo:pmo@db.internal/demo"
    monkeypatch.setenv("PMO_DEMO_DATABASE_URL", url)
    assert DemoSettings().database_url == url


def test_another_services_database_url_is_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PMO_OTHER_DATABASE_URL", "postgresql+asyncpg://elsewhere/other")
    assert DemoSettings().database_url.startswith("sqlite+aiosqlite:///")


def test_the_database_url_may_be_passed_by_name() -> None:
    settings = DemoSettings(database_url="sqlite+aiosqlite:///:memory:")
    assert settings.database_url == "sqlite+aiosqlite:///:memory:"


@pytest.mark.parametrize(
    ("name", "value"),
    [("PMO_KAFKA_TOPIC_PARTITIONS", "0"), ("PMO_CONSUMER_MAX_ATTEMPTS", "0")],
)
def test_out_of_range_numbers_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        CommonSettings()
