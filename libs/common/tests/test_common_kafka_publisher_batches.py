"""KafkaPublisher's producer holds a whole outbox pass per partition in one batch."""

from __future__ import annotations

from typing import Any

import pytest
from pmo_common.messaging import kafka_publisher
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.outbox import OutboxRelay

TYPICAL_EVENT_BYTES = 2300  # a project.at_risk envelope with its reasons, as stored by the relay
BROKER_BATCH_LIMIT = 1024 * 1024  # Kafka's default message.max.bytes, roughly


class RecordingProducer:
    """Stands in for AIOKafkaProducer: keeps the settings it was built with."""

    built_with: dict[str, Any] = {}

    def __init__(self, **settings: Any) -> None:
        RecordingProducer.built_with = settings

    async def start(self) -> None:
        return None


async def test_one_relay_pass_fits_one_batch_per_partition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # aiokafka sends one request per broker at a time: a pass split over several batches of a
    # partition waits for one acknowledgement after another.
    monkeypatch.setattr(kafka_publisher, "AIOKafkaProducer", RecordingProducer)
    await KafkaPublisher("127.0.0.1:9", "unit-test").start()
    batch_bytes = RecordingProducer.built_with.get("max_batch_size", 16384)
    relay_batch = OutboxRelay.__dataclass_fields__["batch_size"].default
    assert isinstance(relay_batch, int)
    pass_bytes = relay_batch * TYPICAL_EVENT_BYTES
    assert pass_bytes <= batch_bytes < BROKER_BATCH_LIMIT
    assert RecordingProducer.built_with["enable_idempotence"] is True
