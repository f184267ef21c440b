"""Dead letters replayed after their projects recovered: the stale at-risk signals change nothing.

What an earlier consumer did in a database outage is reproduced on the real topics: with
notifications stopped, every project turns red; the `project.at_risk` events land on
`project.at_risk.dlq` with the headers the consumer writes, and notifications' group is moved
past them, as a consumer that dead-lettered them would have committed. A quarter of the projects
then recover, and notifications is started again: it applies the recoveries only. Replaying the
dead letters (`pmo_stack.dlq_replay`) must then tell the managers of the projects still red (and
open their alerts), while the recovered projects get no alert left open and no "at risk" e-mail
or webhook after their "recovered" one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pmo_common.messaging.topics import dead_letter_topic
from pmo_stack.dlq_replay import replay_dead_letters
from pmo_stack.testkit import eventually
from pmo_stack.testkit.fault_counts import (
    Expected,
    assert_nothing_lost,
    settle_and_count,
)
from pmo_stack.testkit.fault_kit import FaultKit
from pmo_stack.testkit.kafka_records import partitions_of
from pmo_stack.testkit.stack_ledger import keyed_by, records_on
from pmo_stack.testkit.told import RECOVERED, mails_told

pytestmark = pytest.mark.faults

AT_RISK_TOPIC = "project.at_risk"
RECOVERED_TOPIC = "project.recovered"
NOTIFICATIONS_GROUP = "pmo-notifications"
OUTAGE_ERROR = "OperationalError: connection to server at 127.0.0.1 failed: Connection refused"


async def _published(
    bootstrap: str, topic: str, projects: set[str]
) -> list[ConsumerRecord[bytes, bytes]]:
    """Wait until every project has a record on `topic`; those records."""

    async def all_there() -> list[ConsumerRecord[bytes, bytes]] | None:
        found = keyed_by(await records_on(bootstrap, [topic]), projects)
        return found if {r.key.decode() for r in found if r.key} >= projects else None

    return await eventually(all_there, within=60, what=f"monitoring to publish on {topic}")


async def _dead_letter(bootstrap: str, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
    """Write `records` to their dead-letter topic as notifications' consumer used to."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for record in records:
            headers = [
                *(record.headers or ()),
                ("dlq-error", OUTAGE_ERROR.encode()),
                ("dlq-error-type", b"OperationalError"),
                ("dlq-original-topic", record.topic.encode()),
                ("dlq-original-partition", str(record.partition).encode()),
                ("dlq-original-offset", str(record.offset).encode()),
                ("dlq-consumer-group", NOTIFICATIONS_GROUP.encode()),
                ("dlq-failed-at", datetime.now(UTC).isoformat().encode()),
            ]
            await producer.send_and_wait(
                dead_letter_topic(record.topic), record.value, key=record.key, headers=headers
            )
    finally:
        await producer.stop()


async def _commit_past_everything(bootstrap: str, group: str, topic: str) -> None:
    """Commit the (stopped, hence empty) group's offsets on `topic` at its end."""
    partitions: list[TopicPartition] = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.commit(end)
    finally:
        await consumer.stop()


async def test_dead_letters_replayed_after_a_recovery_reopen_nothing_and_tell_nothing_late(
    faults: FaultKit,
) -> None:
    load = faults.new_load("dead letters replayed after recovery")
    bootstrap = faults.kafka_bootstrap
    await load.register(load.projects)
    recovering = load.recovering
    recovered_ids = {p.id for p in recovering}
    notifications = faults.stack.stack.services["notifications"]

    await asyncio.to_thread(notifications.stop)  # leaves its consumer group empty
    try:
        await load.turn_red(load.projects)
        at_risk = await _published(bootstrap, AT_RISK_TOPIC, load.ids)
        await _dead_letter(bootstrap, at_risk)
        await _commit_past_everything(bootstrap, NOTIFICATIONS_GROUP, AT_RISK_TOPIC)
        await load.turn_green(recovering)
        await _published(bootstrap, RECOVERED_TOPIC, recovered_ids)
    finally:
        await asyncio.to_thread(notifications.restart)

    managers = {p.manager.lower(): p.id for p in load.projects}

    async def recoveries_told() -> bool:
        return mails_told(faults.stack.smtp, managers).projects(RECOVERED) >= recovered_ids

    await eventually(recoveries_told, within=120, what="the recovery e-mails")

    summary = await replay_dead_letters(bootstrap, [AT_RISK_TOPIC])
    print(f"\n[fault] {load.scenario}: {summary.describe()}")
    assert summary.replayed == len(at_risk)

    expected = Expected(
        at_risk=frozenset(load.ids - recovered_ids),
        recovered=frozenset(recovered_ids),
        never_at_risk=frozenset(recovered_ids),
        dead_letters=len(at_risk),
    )
    counts = await settle_and_count(faults.ledger(load), load.scenario, expected)
    assert_nothing_lost(counts)
