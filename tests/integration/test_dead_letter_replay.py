"""`replay-dlq` against a real Kafka broker: dead letters go back to their original topic as
they were, once, and a consumer whose fault is fixed applies them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, PermanentEventError
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.topics import dead_letter_topic
from pmo_stack.__main__ import main
from pmo_stack.dlq_replay import DeadLetter, replay_dead_letters
from pmo_stack.testkit import eventually
from pmo_stack.testkit.consuming import dead_lettering_consumer, running
from pmo_stack.testkit.kafka_records import (
    DEADLINE,
    Sequenced,
    create_test_topic,
    ids_on,
    itest_event_spec,
    produce_events,
    read_all,
    sequenced_event,
)
from pmo_stack.testkit.messaging_database import MessagingDatabase
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await create_test_topic(kafka_bootstrap, "itest.replay")


async def dead_letter(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    """A record as a consumer dead-letters it: the original headers, then its dlq-* headers."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            dead_letter_topic(topic),
            value,
            key=key,
            headers=[
                ("content-type", b"application/cloudevents+json; charset=utf-8"),
                ("correlation-id", b"corr-" + key),
                ("dlq-error", b"no projection of project " + key),
                ("dlq-error-type", b"PermanentEventError"),
                ("dlq-original-topic", topic.encode()),
                ("dlq-original-partition", b"0"),
                ("dlq-original-offset", b"7"),
                ("dlq-consumer-group", b"pmo-notifications"),
            ],
        )
    finally:
        await producer.stop()


async def test_dead_letters_go_back_as_they_were_and_only_once(
    topic: str, kafka_bootstrap: str
) -> None:
    letters = {b"p-1": b'{"first": 1}', b"p-2": b'{"second": 2}'}
    for key, value in letters.items():
        await dead_letter(kafka_bootstrap, topic, key, value)

    listed = await replay_dead_letters(kafka_bootstrap, [topic], dry_run=True)
    assert [(d.key, d.original_topic, d.error_type) for d in listed.dead_letters] == [
        (b"p-1", topic, "PermanentEventError"),
        (b"p-2", topic, "PermanentEventError"),
    ]
    assert listed.replayed == 0
    assert await read_all(kafka_bootstrap, topic) == []

    seen: list[DeadLetter] = []
    summary = await replay_dead_letters(
        kafka_bootstrap, [dead_letter_topic(topic)], on_dead_letter=seen.append
    )
    assert summary.replayed == 2
    assert seen == list(summary.dead_letters)
    replayed = await read_all(kafka_bootstrap, topic)
    assert {record.key: record.value for record in replayed} == letters
    for record in replayed:
        assert [name for name, _ in record.headers] == ["content-type", "correlation-id"]
        assert dict(record.headers)["correlation-id"] == b"corr-" + (record.key or b"")

    again = await replay_dead_letters(kafka_bootstrap, [topic])
    assert (again.replayed, again.dead_letters) == (0, ())
    assert len(await read_all(kafka_bootstrap, topic)) == 2


def test_the_command_prints_a_line_per_dead_letter_and_a_summary(
    topic: str, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Synchronous: the command runs its own event loop, as it does from a shell.
    asyncio.run(dead_letter(kafka_bootstrap, topic, b"p-9", b"{}"))
    command = ["replay-dlq", "--bootstrap-servers", kafka_bootstrap, "--topic", topic]

    assert main([*command, "--dry-run"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith(f"would replay {dead_letter_topic(topic)}[")
    assert f"-> {topic} key=p-9 (PermanentEventError: no projection of project p-9)" in listed[0]
    assert listed[1:] == ["would replay 1 dead letters from 1 topics"]

    assert main(command) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "replayed 1 dead letters from 1 topics"
    assert main(command) == 0
    assert capsys.readouterr().out.splitlines() == ["replayed 0 dead letters from 0 topics"]


@pytest.fixture
async def poison(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> AsyncIterator[set[int]]:
    """A consumer running for the test, recording each event it applies; events whose seq is
    in the set yielded are poison (PermanentEventError) until the test takes them out: the
    fault, then its fix."""
    poisoned: set[int] = set()

    async def record_unless_poison(session: AsyncSession, event: Consumed[Sequenced]) -> None:
        if event.payload.seq in poisoned:
            raise PermanentEventError(f"event {event.payload.seq} cannot apply yet")
        await session.execute(insert(database.applied).values(event_id=event.id))

    group = f"itest-replay-{uuid.uuid4().hex[:8]}"
    applier = EventApplier(
        consumer=group,
        session_factory=database.sessions(),
        tables=database.tables,
        handlers=ConsumedEvents().add(itest_event_spec(topic), record_unless_poison),
        max_attempts=2,
        retry_backoff=0.01,
    )
    async with (
        dead_lettering_consumer(kafka_bootstrap, group, applier) as consumer,
        running(consumer),
    ):
        yield poisoned


async def test_a_replayed_dead_letter_is_applied_once_its_cause_is_fixed(
    database: MessagingDatabase,
    topic: str,
    kafka_bootstrap: str,
    poison: set[int],
) -> None:
    events = [sequenced_event(topic, f"project-{seq % 2}", seq) for seq in range(4)]
    poison.update({1, 2})
    await produce_events(kafka_bootstrap, events)

    async def dead_lettered() -> list[str] | None:
        ids = await ids_on(kafka_bootstrap, dead_letter_topic(topic))
        return ids if len(ids) == 2 else None

    assert sorted(await eventually(dead_lettered, what="two dead letters", within=DEADLINE)) == (
        sorted([events[1].id, events[2].id])
    )
    poison.clear()  # the fix

    assert (await replay_dead_letters(kafka_bootstrap, [topic])).replayed == 2

    async def all_applied() -> bool:
        return await database.effects() == 4

    await eventually(all_applied, what="the replayed events are applied", within=DEADLINE)
    applied = [event_id for ids in (await database.applied_by()).values() for event_id in ids]
    assert sorted(applied) == sorted(event.id for event in events)
    assert (await replay_dead_letters(kafka_bootstrap, [topic])).replayed == 0
