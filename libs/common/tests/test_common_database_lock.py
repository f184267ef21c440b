"""The database lock on SQLite: one holder per database file, whatever the engine or process.

On PostgreSQL the lock is an advisory lock; tests/integration/test_outbox_relay_replicas.py
runs two relays on each backend.
"""

from __future__ import annotations

from pmo_common.db.engine import create_database_engine, create_session_factory, database_lock
from pmo_common.messaging.tables import MessagingTables
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_a_second_engine_on_the_file_does_not_get_the_lock_while_it_is_held(
    messaging_database: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, _tables = messaging_database
    other = create_database_engine(str(engine.url))
    try:
        async with (
            create_session_factory(engine)() as holder,
            database_lock(holder, "relay") as held,
        ):
            assert held
            async with create_session_factory(other)() as session:
                async with database_lock(session, "relay") as also_held:
                    assert not also_held
                async with database_lock(session, "another-name") as unrelated:
                    assert unrelated
        async with create_session_factory(other)() as session, database_lock(session, "relay") as n:
            assert n, "the lock is free again once its holder's block has ended"
    finally:
        await other.dispose()
