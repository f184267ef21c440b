"""is_infrastructure_error: the database, Kafka and the network are transient; the rest is not."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka import errors as kafka_errors
from pmo_common.events.payloads import GateDecided
from pmo_common.messaging.consumed_events import PermanentEventError
from pmo_common.outages import is_database_outage, is_infrastructure_error
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc


def _validation_error() -> ValidationError:
    try:
        GateDecided.model_validate({"gate": 1})
    except ValidationError as exc:
        return exc
    raise AssertionError("expected a ValidationError")


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as exc:
        return exc


def _invalidated() -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("SELECT 1", {}, Exception("reset"), connection_invalidated=True)


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        sa_exc.TimeoutError("QueuePool limit reached"),
        _invalidated(),
        asyncpg.exceptions.CannotConnectNowError("starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock"),
        asyncpg.exceptions.SerializationError("could not serialize"),
        ConnectionRefusedError("refused"),
        ConnectionResetError("reset"),
        TimeoutError("timed out"),
        OSError("network unreachable"),
        kafka_errors.KafkaConnectionError("no broker"),
        kafka_errors.KafkaTimeoutError(),
        kafka_errors.NotLeaderForPartitionError(),
        sa_exc.DBAPIError("UPDATE", {}, asyncpg.exceptions.DeadlockDetectedError("deadlock")),
        _raised_from(RuntimeError("could not notify"), ConnectionResetError("peer reset")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_infrastructure_errors_are_transient(error: BaseException) -> None:
    assert is_infrastructure_error(error)


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
        sa_exc.ProgrammingError("SELECT", {}, Exception("syntax error")),
        sa_exc.DataError("INSERT", {}, Exception("value too long")),
        _validation_error(),
        PermanentEventError("gate G9 does not exist"),
        ValueError("bad"),
        KeyError("missing"),
        RuntimeError("a bug"),
        kafka_errors.RecordTooLargeError(),
        # Never transient, whatever they were raised from.
        _raised_from(PermanentEventError("refused"), ConnectionResetError("peer reset")),
        _raised_from(
            sa_exc.IntegrityError("INSERT", {}, Exception("dup")), OSError("network unreachable")
        ),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_of_the_event_or_the_handler_are_not_transient(error: BaseException) -> None:
    assert not is_infrastructure_error(error)


def test_a_cause_cycle_ends() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert not is_infrastructure_error(first)


def test_every_database_outage_is_an_infrastructure_error() -> None:
    outage = sa_exc.OperationalError("SELECT 1", {}, Exception("gone"))
    assert is_database_outage(outage) and is_infrastructure_error(outage)
    # Outside the drivers, a socket error is not a *database* outage, but still transient.
    assert not is_database_outage(TimeoutError("an HTTP call timed out"))
    assert is_infrastructure_error(TimeoutError("an HTTP call timed out"))
