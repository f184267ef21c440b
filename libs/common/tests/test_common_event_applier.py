"""EventApplier: once per event id, bounded retries, dead letters for what can never apply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pmo_common.db.engine import create_session_factory
from pmo_common.events.catalog import GATE_DECIDED, PROJECT_CLOSED
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import EventPayload, GateDecided
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, Handler
from pmo_common.messaging.event_applier import EventApplier, Outcome, PermanentEventError
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import correlation_id_var
from pmo_stack.testkit.applier_waits import Outage, Waits, database_down
from pmo_stack.testkit.direct_tables import engine_with_tables, messaging_with_table
from sqlalchemy import Column, String, Table, func, insert, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

EVENT_TYPE = GATE_DECIDED.type
GateHandler = Handler[GateDecided]


@dataclass
class Database:
    sessions: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    effects: Table
    calls: list[str] = field(default_factory=list)

    def applier(self, handler: GateHandler, max_attempts: int = 3) -> EventApplier:
        return EventApplier(
            consumer="unit-test",
            session_factory=self.sessions,
            tables=self.tables,
            handlers=ConsumedEvents().add(GATE_DECIDED, handler),
            max_attempts=max_attempts,
            retry_backoff=0,
            outage_backoff=0,
        )

    async def count(self, table: Table) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    async def write_effect(self, session: AsyncSession, event: Consumed[GateDecided]) -> None:
        """A handler in the shape services write: a typed payload, written with the session."""
        assert isinstance(event.payload, GateDecided)
        self.calls.append(event.id)
        await session.execute(
            insert(self.effects).values(
                event_id=event.id,
                gate=event.payload.gate,
                correlation_id=correlation_id_var.get(),
            )
        )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    tables, effects = messaging_with_table(
        "effects",
        Column("event_id", String(64), nullable=False),
        Column("gate", String(50), nullable=False),
        Column("correlation_id", String(64)),
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'applier.db'}"
    engine = await engine_with_tables(url, effects.metadata)
    yield Database(create_session_factory(engine), tables, effects)
    await engine.dispose()


def gate_event(**data_overrides: object) -> CloudEvent:
    data = {"project_id": "p-1", "gate": "G1", "decision": "approved", "decided_by": "pmo"}
    return CloudEvent(
        source="/pmo/standards",
        type=EVENT_TYPE,
        subject="p-1",
        correlationid="corr-1",
        data={**data, **data_overrides},
    )


async def test_an_event_is_applied_with_its_processed_record(db: Database) -> None:
    applier = db.applier(db.write_effect)
    assert await applier.apply(gate_event()) == (Outcome.APPLIED, None)
    assert await db.count(db.effects) == 1
    assert await db.count(db.tables.processed_events) == 1


async def test_the_same_event_twice_applies_once(db: Database) -> None:
    applier = db.applier(db.write_effect)
    event = gate_event()
    assert (await applier.apply_raw(event.to_bytes()))[0] is Outcome.APPLIED
    assert (await applier.apply_raw(event.to_bytes()))[0] is Outcome.DUPLICATE
    assert await db.count(db.effects) == 1
    assert db.calls == [event.id]


async def test_different_consumers_each_apply_the_event(db: Database) -> None:
    event = gate_event()
    first = db.applier(db.write_effect)
    second = EventApplier(
        consumer="another-consumer",
        session_factory=db.sessions,
        tables=db.tables,
        handlers=ConsumedEvents().add(GATE_DECIDED, db.write_effect),
    )
    assert (await first.apply(event))[0] is Outcome.APPLIED
    assert (await second.apply(event))[0] is Outcome.APPLIED
    assert await db.count(db.effects) == 2


async def test_the_handler_sees_the_events_correlation_id(db: Database) -> None:
    applier = db.applier(db.write_effect)
    await applier.apply(gate_event())
    async with db.sessions() as session:
        assert await session.scalar(select(db.effects.c.correlation_id)) == "corr-1"
    assert correlation_id_var.get() is None


async def test_a_transient_error_is_retried_then_dead_lettered(db: Database) -> None:
    calls: list[int] = []

    async def always_failing(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        calls.append(1)
        await db.write_effect(session, event)
        raise ValueError("database of another world is down")

    applier = db.applier(always_failing, max_attempts=4)
    outcome, failure = await applier.apply(gate_event())
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None
    assert (failure.error_type, failure.error) == (
        "ValueError",
        "database of another world is down",
    )
    assert len(calls) == 4
    assert await db.count(db.effects) == 0
    assert await db.count(db.tables.processed_events) == 0


async def test_a_retry_that_succeeds_keeps_only_the_successful_effect(db: Database) -> None:
    attempts: list[int] = []

    async def flaky(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        attempts.append(1)
        await db.write_effect(session, event)
        if len(attempts) < 3:
            raise ConnectionError("try again")

    applier = db.applier(flaky, max_attempts=3)
    assert await applier.apply(gate_event()) == (Outcome.APPLIED, None)
    assert len(attempts) == 3
    assert await db.count(db.effects) == 1


async def test_a_permanent_error_is_dead_lettered_without_retry(db: Database) -> None:
    calls: list[int] = []

    async def refusing(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        calls.append(1)
        raise PermanentEventError("gate G9 does not exist")

    applier = db.applier(refusing, max_attempts=5)
    outcome, failure = await applier.apply(gate_event())
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None and failure.error_type == "PermanentEventError"
    assert len(calls) == 1
    assert await db.count(db.tables.processed_events) == 0


async def test_a_payload_that_does_not_validate_is_dead_lettered_at_once(db: Database) -> None:
    applier = db.applier(db.write_effect, max_attempts=5)
    outcome, failure = await applier.apply(gate_event(decision="maybe"))
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None and failure.error_type == "ValidationError"
    assert "decision" in failure.error
    assert db.calls == []


@pytest.mark.parametrize("raw", [b"\x00not json", b'{"id": "1"}', b"", None])
async def test_bytes_that_are_not_a_cloudevent_are_dead_lettered(
    db: Database, raw: bytes | None
) -> None:
    applier = db.applier(db.write_effect)
    outcome, failure = await applier.apply_raw(raw)
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None and failure.error.startswith("not a CloudEvent")
    assert await db.count(db.tables.processed_events) == 0


async def test_an_event_type_without_handler_is_ignored(db: Database) -> None:
    applier = db.applier(db.write_effect)
    event = CloudEvent(source="/pmo/x", type="project.closed", data={})
    assert await applier.apply_raw(event.to_bytes()) == (Outcome.IGNORED, None)
    assert await db.count(db.tables.processed_events) == 0


def test_the_applier_lists_its_event_types(db: Database) -> None:
    handlers = ConsumedEvents().add(PROJECT_CLOSED, ignore).add(GATE_DECIDED, db.write_effect)
    applier = EventApplier(
        consumer="unit-test", session_factory=db.sessions, tables=db.tables, handlers=handlers
    )
    assert applier.event_types == ["project.closed", "project.gate.decided"]


def test_an_event_type_takes_one_handler() -> None:
    handlers = ConsumedEvents().add(PROJECT_CLOSED, ignore)
    with pytest.raises(ValueError, match="already has a handler"):
        handlers.add(PROJECT_CLOSED, ignore)


def test_the_registry_parses_data_with_the_catalogs_model() -> None:
    handlers = ConsumedEvents().add(PROJECT_CLOSED, ignore)
    event = CloudEvent(
        source="/pmo/intake",
        type="project.closed",
        data={"project_id": "p-1", "name": "Apollo", "closed_at": "2026-01-02T03:04:05Z"}
        | {"version": 2, "unknown_field": "ignored"},
    )
    consumed = handlers.parse(event)
    assert consumed.payload.model_dump()["version"] == 2
    assert type(consumed.payload).__name__ == "ProjectClosed"
    assert (consumed.id, consumed.type, consumed.envelope) == (event.id, "project.closed", event)


async def ignore(session: AsyncSession, event: Consumed[EventPayload]) -> None:
    """A handler with no effect."""


async def test_an_outage_is_waited_out_beyond_max_attempts_and_never_dead_lettered(
    db: Database,
) -> None:
    outage = Outage(failures=12)

    async def during_an_outage(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        outage.meet()
        await db.write_effect(session, event)

    applier = outage.applier = db.applier(during_an_outage, max_attempts=3)
    applier.outage_backoff, applier.outage_backoff_max = 0.2, 30.0
    waits = Waits()
    assert await applier.apply(gate_event(), wait=waits) == (Outcome.APPLIED, None)
    assert len(waits.delays) == 12
    # Bounded exponential backoff: 0.2 s doubling, capped at 30 s.
    assert waits.delays[:5] == [0.2, 0.4, 0.8, 1.6, 3.2]
    assert waits.delays[-3:] == [30.0, 30.0, 30.0]
    assert await db.count(db.effects) == 1
    assert await db.count(db.tables.processed_events) == 1
    waiting = outage.seen_waiting
    assert waiting and waiting[-1].startswith("waiting for the database since ")
    assert applier.waiting is None


async def test_stopping_during_an_outage_leaves_the_event_unapplied(db: Database) -> None:
    calls: list[int] = []

    async def database_stays_down(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        calls.append(1)
        await db.write_effect(session, event)
        raise database_down()

    applier = db.applier(database_stays_down, max_attempts=1)
    waits = Waits(allowed=5)
    assert await applier.apply(gate_event(), wait=waits) == (Outcome.INTERRUPTED, None)
    assert len(calls) == 6  # far beyond max_attempts=1, and not dead-lettered
    assert await db.count(db.effects) == 0
    assert await db.count(db.tables.processed_events) == 0
    assert applier.waiting is None


@pytest.mark.parametrize(
    "poison",
    [
        PermanentEventError("gate G9 does not exist"),
        sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_poison_is_dead_lettered_without_waiting(db: Database, poison: Exception) -> None:
    calls: list[int] = []

    async def poisoned(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        calls.append(1)
        raise poison

    applier = db.applier(poisoned, max_attempts=1)
    waits = Waits()
    outcome, failure = await applier.apply(gate_event(), wait=waits)
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None and failure.error_type == type(poison).__name__
    assert (len(calls), waits.delays) == (1, [])


async def test_a_handler_bug_between_outages_still_counts_its_own_attempts(db: Database) -> None:
    errors: list[Exception] = [database_down(), ValueError("bug"), database_down()] + [
        ValueError("bug")
    ] * 5

    async def mixed(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        raise errors.pop(0)

    applier = db.applier(mixed, max_attempts=3)
    waits = Waits()
    outcome, failure = await applier.apply(gate_event(), wait=waits)
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None and failure.error_type == "ValueError"
    assert len(errors) == 3  # two outages (not counted) and three failures of the handler


async def test_a_real_sqlite_outage_is_waited_out(db: Database, tmp_path: Path) -> None:
    """The database file cannot be opened for a while: no dead letter, applied once it can."""
    # Not through create_database_engine, which would create the missing directory.
    broken = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}")
    good_sessions = db.sessions
    applier = db.applier(db.write_effect, max_attempts=1)
    applier.session_factory = create_session_factory(broken)

    async def restore_after_three(seconds: float) -> bool:
        waits.delays.append(seconds)
        if len(waits.delays) == 3:
            applier.session_factory = good_sessions
        return True

    waits = Waits()
    try:
        assert await applier.apply(gate_event(), wait=restore_after_three) == (
            Outcome.APPLIED,
            None,
        )
    finally:
        await broken.dispose()
    assert len(waits.delays) == 3
    assert await db.count(db.effects) == 1
