"""A service app in the test's own process: settings on a fresh, migrated SQLite file, the app
with its lifespan running, and an HTTP client that reaches it without a socket.

The unit suites of the services and the in-process parts of the security suite set up their
app the same way; these are that way, written once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from pmo_common.settings import ServiceSettings

Settings = TypeVar("Settings", bound=ServiceSettings)


def sqlite_settings(
    settings_class: type[Settings],
    migrate: Callable[[str], object],
    tmp_path: Path,
    **overrides: Any,
) -> Settings:
    """The service's settings on `<service>.db` in `tmp_path`, migrated, with Kafka off.

    `migrate` runs its own event loop, so call this from a synchronous fixture.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / f'{settings_class.service_name}.db'}"
    migrate(url)
    values: dict[str, Any] = {
        "database_url": url,
        "kafka_enabled": False,
        "data_dir": tmp_path,
        **overrides,
    }
    return settings_class(**values)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running: started on entry, stopped on exit."""
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def asgi_client(
    app: FastAPI,
    base_url: str = "http://test",
    *,
    headers: dict[str, str] | None = None,
    raise_app_exceptions: bool = True,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in process; its lifespan is the caller's (`running`).

    `headers` go with every request. With `raise_app_exceptions=False` an error escaping the
    app reaches the test as the 500 a caller would get, not as an exception.
    """
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers) as client:
        yield client


@asynccontextmanager
async def running_client(app: FastAPI, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app running, and an HTTP client talking to it in process."""
    async with running(app), asgi_client(app, base_url) as client:
        yield client
