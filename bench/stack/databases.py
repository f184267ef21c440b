"""Direct connections to a service's PostgreSQL database, for seeding and counting rows."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url


async def connect(url: str) -> asyncpg.Connection:
    """An asyncpg connection to the database behind a `postgresql+asyncpg://` URL."""
    parsed = make_url(url)
    connection: asyncpg.Connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    return connection
