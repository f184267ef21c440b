"""The async engine and session factory of a service's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import fcntl
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_database_engine(database_url: str) -> AsyncEngine:
    """An engine tuned for the backend the URL names."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(database_url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(database_url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while the relay or a consumer writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_session_factory(
    engine: AsyncEngine, info: dict[str, object] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (responses are built after it)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info or {})


@asynccontextmanager
async def database_lock(session: AsyncSession, name: str) -> AsyncIterator[bool]:
    """Hold the lock `name` of the session's database for the block, if no one holds it.

    Never waits: yields False when another process (or engine) holds it. The block runs the
    session's transaction and commits it before it ends, so whoever takes the lock next reads
    what it wrote. PostgreSQL: a transaction-scoped advisory lock, released at commit or
    rollback. SQLite: a lock on a file beside the database, because SQLite's own locks do not
    fit: a deferred transaction's reads exclude nobody, and holding the write lock across
    slow work (a Kafka round trip) would stall every writer of the service meanwhile.
    """
    url = session.get_bind().engine.url
    if url.get_backend_name() == "postgresql":
        yield bool(await session.scalar(select(func.pg_try_advisory_xact_lock(_lock_key(name)))))
    elif url.get_backend_name() == "sqlite" and url.database and ":memory:" not in url.database:
        slug = re.sub(r"[^A-Za-z0-9_.-]", "-", name)
        lock_file = _locked_file(Path(f"{url.database}.{slug}.lock"))
        try:
            yield lock_file is not None
        finally:
            if lock_file is not None:
                lock_file.close()  # releases the lock
    else:
        # An in-memory SQLite database is private to its process: nobody else can take it.
        yield True


def _locked_file(path: Path) -> IO[str] | None:
    """The file at `path`, open and exclusively locked; None when another holds its lock."""
    lock_file = path.open("a")
    try:
        # flock, not lockf: two engines of one process must exclude each other too.
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        return None
    return lock_file


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (the same in every process)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
