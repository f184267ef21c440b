"""Which errors say the infrastructure is down now, rather than that the work itself is wrong.

One classification for the whole code base: the web layer answers 503 for a database outage
(`is_database_outage`), and the event applier waits out an infrastructure error
(`is_infrastructure_error`) instead of dead-lettering the event that met it.

Transient (the database, Kafka or the network; a retry later may succeed):
- everything `is_database_outage` names: SQLAlchemy `OperationalError`, `InterfaceError`, the
  pool's `TimeoutError`, any `DBAPIError` whose connection was invalidated, asyncpg connection,
  interface, operator-intervention and insufficient-resources errors;
- asyncpg's transaction-rollback errors (serialization failure, deadlock), wherever they surface;
- a retriable aiokafka error, or one saying the broker cannot be reached;
- `OSError` (so `ConnectionError` and `TimeoutError`, socket and DNS errors) and
  (on 3.11 the same) `asyncio.TimeoutError`, wherever raised;
- any error explicitly raised `from` (`__cause__`) or wrapping (SQLAlchemy's `.orig`) one of
  the above.

Never transient, whatever they wrap: `IntegrityError` (the data breaks a constraint),
pydantic's `ValidationError` (data that does not fit the model) and `PermanentEventError`.
Everything else (a bug, a rule the handler refuses) is not an outage either: the applier retries
it a bounded number of times and then dead-letters it.
"""

from __future__ import annotations

from types import TracebackType

import asyncpg
from aiokafka import errors as kafka_errors
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from pmo_common.messaging.consumed_events import PermanentEventError

__all__ = ["is_database_outage", "is_infrastructure_error"]

_DATABASE_MODULES = ("sqlalchemy", "asyncpg", "aiosqlite")
_MAX_CHAIN = 10  # how far along __cause__ / .orig to look


def _raised_by_database_driver(tb: TracebackType | None) -> bool:
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] in _DATABASE_MODULES:
            return True
        tb = tb.tb_next
    return False


def is_database_outage(exc: BaseException) -> bool:
    """Whether an error says the database cannot be reached now (a retry may succeed).

    SQLAlchemy's OperationalError and InterfaceError, its pool's TimeoutError, a connection it
    found invalidated, asyncpg's connection, interface, operator-intervention (server shutting
    down or starting) and insufficient-resources errors, and the socket errors and timeouts the
    drivers let through while connecting (recognised by where they were raised).
    """
    if isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.OperatorInterventionError  # shutting down, starting up
        | asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    ):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OSError):  # TimeoutError and ConnectionRefusedError are OSErrors
        return _raised_by_database_driver(exc.__traceback__)
    return False


def _never_transient(exc: BaseException) -> bool:
    return isinstance(exc, sa_exc.IntegrityError | ValidationError | PermanentEventError)


def _transient_by_itself(exc: BaseException) -> bool:
    if is_database_outage(exc):
        return True
    if isinstance(exc, asyncpg.exceptions.TransactionRollbackError):  # deadlock, serialization
        return True
    if isinstance(exc, kafka_errors.KafkaError):
        return bool(exc.retriable) or isinstance(
            exc, kafka_errors.KafkaConnectionError | kafka_errors.KafkaTimeoutError
        )
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError (asyncio.TimeoutError too)


def is_infrastructure_error(exc: BaseException) -> bool:
    """Whether `exc` comes from the database, Kafka or the network (wait and retry, forever).

    False for an error that belongs to the event or the handler (see the module's docstring):
    those are the applier's poison, dead-lettered at once or after bounded retries.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        if _never_transient(current):
            return False
        if _transient_by_itself(current):
            return True
        orig = getattr(current, "orig", None) if isinstance(current, sa_exc.DBAPIError) else None
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False
