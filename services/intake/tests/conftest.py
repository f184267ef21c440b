"""Fixtures of intake's unit tests: a migrated SQLite database and an in-process app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from pmo_common.auth.tokens import mint_dev_token
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_intake.config import IntakeSettings
from pmo_intake.main import create_app
from pmo_intake.migrate import migrate


@pytest.fixture
def intake_settings(tmp_path: Path) -> IntakeSettings:
    """Settings pointing at a fresh, migrated SQLite file, Kafka off."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    migrate(url)
    return IntakeSettings(database_url=url, kafka_enabled=False, data_dir=tmp_path)


@pytest.fixture
async def intake_client(intake_settings: IntakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process, lifespan included."""
    app = create_app(intake_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield client


@pytest.fixture
def auth_header() -> Callable[..., dict[str, str]]:
    """Build an Authorization header for a role and e-mail."""

    def build(role: str = "pmo_admin", email: str = "pmo@example.com") -> dict[str, str]:
        token = mint_dev_token(secret=DEVELOPMENT_JWT_SECRET, sub=email, email=email, roles=[role])
        return {"Authorization": f"Bearer {token}"}

    return build
