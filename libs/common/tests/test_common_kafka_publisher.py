"""KafkaPublisher.publish_many: one result per record, whatever fails where."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError
from pmo_common.messaging.kafka_publisher import KafkaPublisher, OutgoingMessage


class FakeProducer:
    """Refuses some records in send() itself (as aiokafka does for oversized records or
    unknown topics) and fails others on acknowledgement."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def send(self, topic: str, **_: Any) -> asyncio.Future[None]:
        if topic == "refused.at.send":
            raise MessageSizeTooLargeError("the record is larger than max_request_size")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if topic == "failed.on.ack":
            future.set_exception(KafkaTimeoutError("no acknowledgement"))
        else:
            future.set_result(None)
            self.accepted.append(topic)
        return future


def started_publisher(producer: FakeProducer) -> KafkaPublisher:
    publisher = KafkaPublisher("127.0.0.1:9", "unit-test")
    publisher._producer = producer
    return publisher


async def test_every_record_gets_its_own_result() -> None:
    producer = FakeProducer()
    publisher = started_publisher(producer)
    messages = [
        OutgoingMessage("ok.first", "k", b"1"),
        OutgoingMessage("refused.at.send", "k", b"2"),
        OutgoingMessage("failed.on.ack", "k", b"3"),
        OutgoingMessage("ok.last", "k", b"4"),
    ]
    results = await publisher.publish_many(messages)
    assert len(results) == 4
    assert results[0] is None and results[3] is None
    assert isinstance(results[1], MessageSizeTooLargeError)
    assert isinstance(results[2], KafkaTimeoutError)
    assert producer.accepted == ["ok.first", "ok.last"]


async def test_publish_raises_the_records_error() -> None:
    publisher = started_publisher(FakeProducer())
    with pytest.raises(MessageSizeTooLargeError):
        await publisher.publish(OutgoingMessage("refused.at.send", None, b"x"))
    await publisher.publish(OutgoingMessage("fine", None, b"x"))


async def test_an_unstarted_publisher_refuses_to_publish() -> None:
    publisher = KafkaPublisher("127.0.0.1:9", "unit-test")
    assert not publisher.started
    with pytest.raises(RuntimeError, match="not started"):
        await publisher.publish_many([OutgoingMessage("t", None, b"x")])
    with pytest.raises(RuntimeError, match="not connected"):
        await publisher.check_connection()
