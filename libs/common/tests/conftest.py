"""Fixtures the libs/common tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi import APIRouter, FastAPI
from pmo_common.auth.tokens import TokenVerifier
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.settings import ServiceSettings
from pmo_common.web.app_factory import create_service_app
from pmo_stack.testkit.direct_tables import engine_with_tables
from pmo_stack.testkit.tokens import TokenFactory
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def messaging_database(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    """A SQLite file holding only the messaging tables (outbox, processed events, keys)."""
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = await engine_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'messaging.db'}", metadata)
    yield engine, tables
    await engine.dispose()


HARDENING_SECRET = "hardening-test-secret-0123456789abcdef"


class HardeningSettings(ServiceSettings):
    service_name: ClassVar[str] = "hardening"


AppBuilder = Callable[..., FastAPI]


@pytest.fixture
def build_service_app(tmp_path: Path) -> AppBuilder:
    """`build(*routers, **settings)`: a service app from the app factory, tokens verified.

    The lifespan does not run under httpx's ASGITransport; the token verifier it would set is
    set here, with the secret `HARDENING_SECRET`.
    """

    def build(*routers: APIRouter, **overrides: Any) -> FastAPI:
        settings = HardeningSettings(
            **{
                "kafka_enabled": False,
                "data_dir": tmp_path,
                "auth_jwt_secret": HARDENING_SECRET,
                # Its messaging tables are never created: nothing for the pruning job to do.
                "retention_interval_seconds": 0,
                **overrides,
            }
        )
        app = create_service_app(
            settings=settings, tables=messaging_tables(MetaData()), routers=routers
        )
        app.state.token_verifier = TokenVerifier(secret=HARDENING_SECRET)
        return app

    return build


@pytest.fixture
def bearer() -> Callable[..., dict[str, str]]:
    """`bearer(*roles)`: an Authorization header for a token holding `roles`."""
    tokens = TokenFactory(HARDENING_SECRET)

    def make(*roles: str, ttl_seconds: int = 3600) -> dict[str, str]:
        token = tokens.token(roles, "u1@example.org", sub="u-1", ttl_seconds=ttl_seconds)
        return {"Authorization": f"Bearer {token}"}

    return make
