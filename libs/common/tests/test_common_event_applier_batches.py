"""EventApplier.apply_batch: one transaction per batch, the same outcomes as one by one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from pmo_common.db.engine import create_session_factory
from pmo_common.events.catalog import GATE_DECIDED
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import GateDecided
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, Handler
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import correlation_id_var
from pmo_stack.testkit.applier_waits import Outage, Waits, database_down
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

APPLIED = (Outcome.APPLIED, None)
DUPLICATE = (Outcome.DUPLICATE, None)
INTERRUPTED = (Outcome.INTERRUPTED, None)


@dataclass
class Consumer:
    """A consumer of project.gate.decided whose handler writes one `effects` row per event."""

    engine: AsyncEngine
    tables: MessagingTables
    effects: Table
    calls: list[str] = field(default_factory=list)

    def applier(self, handler: Handler[GateDecided] | None = None) -> EventApplier:
        return EventApplier(
            consumer="batch-test",
            session_factory=create_session_factory(self.engine),
            tables=self.tables,
            handlers=ConsumedEvents().add(GATE_DECIDED, handler or self.record),
            max_attempts=2,
            retry_backoff=0,
            outage_backoff=0,
        )

    async def record(self, session: AsyncSession, event: Consumed[GateDecided]) -> None:
        self.calls.append(event.id)
        await session.execute(
            insert(self.effects).values(
                event_id=event.id, gate=event.payload.gate, correlation_id=correlation_id_var.get()
            )
        )

    async def rows(self, table: Table) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)

    async def effect_ids(self) -> list[str]:
        async with self.engine.connect() as connection:
            query = select(self.effects.c.event_id).order_by(self.effects.c.id)
            return list(await connection.scalars(query))

    @contextmanager
    def statements(self) -> Iterator[list[str]]:
        """The SQL statements (and COMMITs) run on the engine inside the block."""
        seen: list[str] = []

        def on_statement(*args: Any) -> None:
            seen.append(str(args[2]))

        def on_commit(_connection: Any) -> None:
            seen.append("COMMIT")

        sync = self.engine.sync_engine
        sa_event.listen(sync, "before_cursor_execute", on_statement)
        sa_event.listen(sync, "commit", on_commit)
        try:
            yield seen
        finally:
            sa_event.remove(sync, "before_cursor_execute", on_statement)
            sa_event.remove(sync, "commit", on_commit)


@pytest.fixture
async def consumer(
    messaging_database: tuple[AsyncEngine, MessagingTables],
) -> AsyncIterator[Consumer]:
    engine, tables = messaging_database
    effects = Table(
        "effects",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("gate", String(50), nullable=False),
        Column("correlation_id", String(64)),
    )
    async with engine.begin() as connection:
        await connection.run_sync(effects.metadata.create_all)
    yield Consumer(engine, tables, effects)


def gate(number: int, **data: str) -> CloudEvent:
    return CloudEvent(
        source="/pmo/standards",
        type=GATE_DECIDED.type,
        subject="p-1",
        correlationid=f"corr-{number}",
        data={"project_id": "p-1", "gate": f"G{number}", "decision": "approved"}
        | {"decided_by": "pmo"}
        | data,
    )


def raw(*events: CloudEvent) -> list[bytes | None]:
    return [event.to_bytes() for event in events]


def processed_lookups(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and "FROM processed_events" in s]


def processed_inserts(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("INSERT INTO processed_events")]


async def test_a_batch_looks_up_and_records_its_processed_ids_once(consumer: Consumer) -> None:
    events = [gate(number) for number in range(40)]
    with consumer.statements() as statements:
        results = await consumer.applier().apply_batch(raw(*events))
    assert results == [APPLIED] * 40
    assert len(processed_lookups(statements)) == 1
    assert len(processed_inserts(statements)) == 1
    assert statements.count("COMMIT") == 1
    assert await consumer.effect_ids() == [event.id for event in events]
    assert await consumer.rows(consumer.tables.processed_events) == 40


async def test_an_event_twice_in_one_batch_is_applied_once(consumer: Consumer) -> None:
    first, second = gate(1), gate(2)
    with consumer.statements() as statements:
        results = await consumer.applier().apply_batch(raw(first, second, first))
    assert results == [APPLIED, APPLIED, DUPLICATE]
    assert len(processed_lookups(statements)) == 1  # settled in the batch, not by a fallback
    assert await consumer.effect_ids() == [first.id, second.id]
    assert await consumer.rows(consumer.tables.processed_events) == 2


async def test_events_processed_by_an_earlier_batch_are_duplicates(consumer: Consumer) -> None:
    applier = consumer.applier()
    first, second = gate(1), gate(2)
    assert await applier.apply(first) == APPLIED
    assert await applier.apply_batch(raw(first, second, first)) == [
        DUPLICATE,
        APPLIED,
        DUPLICATE,
    ]
    assert consumer.calls == [first.id, second.id]


async def test_records_that_cannot_apply_keep_their_place_without_a_fallback(
    consumer: Consumer,
) -> None:
    unhandled = CloudEvent(source="/pmo/x", type="project.closed", data={})
    good, invalid, later = gate(1), gate(2, decision="maybe"), gate(3)
    records = [b"\x00not json", unhandled.to_bytes(), *raw(good, invalid, later), None]
    with consumer.statements() as statements:
        results = await consumer.applier().apply_batch(records)
    outcomes = [outcome for outcome, _ in results]
    assert outcomes == [
        Outcome.DEAD_LETTERED,
        Outcome.IGNORED,
        Outcome.APPLIED,
        Outcome.DEAD_LETTERED,
        Outcome.APPLIED,
        Outcome.DEAD_LETTERED,
    ]
    reasons = [failure.error for _, failure in results if failure is not None]
    assert [reason.startswith("not a CloudEvent") for reason in reasons] == [True, False, True]
    assert "decision" in reasons[1]
    assert len(processed_lookups(statements)) == 1  # the bad data needed no second pass
    assert await consumer.effect_ids() == [good.id, later.id]


async def test_a_poison_event_in_a_batch_is_the_only_one_dead_lettered(consumer: Consumer) -> None:
    poison_calls: list[str] = []

    async def refuse_g3(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        if event.payload.gate == "G3":
            poison_calls.append(event.id)
            raise ValueError("gate G3 breaks the handler")
        await consumer.record(session, event)

    events = [gate(number) for number in range(1, 6)]
    results = await consumer.applier(refuse_g3).apply_batch(raw(*events))
    assert [outcome for outcome, _ in results] == [
        Outcome.APPLIED,
        Outcome.APPLIED,
        Outcome.DEAD_LETTERED,
        Outcome.APPLIED,
        Outcome.APPLIED,
    ]
    failure = results[2][1]
    assert failure is not None
    assert (failure.error_type, failure.error) == ("ValueError", "gate G3 breaks the handler")
    # Once in the batch (rolled back), then max_attempts=2 times on its own.
    assert len(poison_calls) == 3
    others = [event.id for number, event in enumerate(events, 1) if number != 3]
    assert await consumer.effect_ids() == others
    assert await consumer.rows(consumer.tables.processed_events) == 4


async def test_each_handler_runs_in_its_own_events_context(consumer: Consumer) -> None:
    events = [gate(number) for number in range(5)]
    await consumer.applier().apply_batch(raw(*events))
    async with consumer.engine.connect() as connection:
        query = select(consumer.effects.c.correlation_id).order_by(consumer.effects.c.id)
        seen = list(await connection.scalars(query))
    assert seen == [f"corr-{number}" for number in range(5)]
    assert correlation_id_var.get() is None


async def test_an_outage_during_a_batch_is_waited_out_and_the_batch_applied(
    consumer: Consumer,
) -> None:
    outage = Outage(failures=5)

    async def during_an_outage(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        await consumer.record(session, event)
        if event.payload.gate == "G2":
            outage.meet()

    applier = outage.applier = consumer.applier(during_an_outage)
    applier.outage_backoff, applier.outage_backoff_max = 0.2, 1.0
    waits = Waits()
    events = [gate(number) for number in range(4)]
    assert await applier.apply_batch(raw(*events), wait=waits) == [APPLIED] * 4
    assert waits.delays == [0.2, 0.4, 0.8, 1.0, 1.0]  # beyond max_attempts, never dead-lettered
    assert await consumer.effect_ids() == [event.id for event in events]
    assert await consumer.rows(consumer.tables.processed_events) == 4
    waiting = outage.seen_waiting
    assert waiting and waiting[-1].startswith("waiting for the database since ")
    assert applier.waiting is None


async def test_stopping_during_an_outage_interrupts_the_batch(consumer: Consumer) -> None:
    async def database_stays_down(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        await consumer.record(session, event)
        raise database_down()

    applier = consumer.applier(database_stays_down)
    waits = Waits(allowed=3)
    results = await applier.apply_batch([b"garbage", *raw(gate(1), gate(2))], wait=waits)
    assert [outcome for outcome, _ in results] == [
        Outcome.DEAD_LETTERED,
        Outcome.INTERRUPTED,
        Outcome.INTERRUPTED,
    ]
    assert await consumer.rows(consumer.effects) == 0
    assert await consumer.rows(consumer.tables.processed_events) == 0
    assert applier.waiting is None


async def test_once_one_by_one_is_interrupted_the_events_behind_stay_unapplied(
    consumer: Consumer,
) -> None:
    g2_errors: list[Exception] = [ValueError("fails the batch"), database_down()]

    async def g2_fails_then_meets_an_outage(
        session: AsyncSession, event: Consumed[GateDecided]
    ) -> None:
        if event.payload.gate == "G2":
            raise g2_errors.pop(0)
        await consumer.record(session, event)

    applier = consumer.applier(g2_fails_then_meets_an_outage)
    first, second, third = gate(1), gate(2), gate(3)
    results = await applier.apply_batch(raw(first, second, third), wait=Waits(allowed=0))
    assert results == [APPLIED, INTERRUPTED, INTERRUPTED]
    assert g2_errors == []
    assert await consumer.effect_ids() == [first.id]
    # G1 ran in the rolled-back batch, then on its own; G3 never.
    assert consumer.calls == [first.id, first.id]
