"""The Kafka transport for publishing: an idempotent producer with acks=all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)
# Buffered bytes per partition before a send waits for the batch ahead to be acknowledged.
# aiokafka sends one produce request per broker at a time, and the default (16 KiB, a dozen
# events) split one outbox pass of 200 rows into several acks=all round trips in a row, which
# under load was most of the relay's time. Well below the broker's 1 MiB per batch.
MAX_BATCH_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A record to write to Kafka."""

    topic: str
    key: str | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


class KafkaPublisher:
    """Publishes records; acks from all in-sync replicas, idempotent, ordered per key."""

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        """Whether the producer is connected."""
        return self._producer is not None

    async def start(self) -> None:
        """Connect the producer (raises when the broker cannot be reached)."""
        async with self._lock:
            if self._producer is not None:
                return
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap_servers,
                client_id=self._client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                max_batch_size=MAX_BATCH_BYTES,
                request_timeout_ms=15000,
            )
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer

    async def stop(self) -> None:
        """Flush and disconnect."""
        async with self._lock:
            if self._producer is not None:
                producer, self._producer = self._producer, None
                await producer.stop()

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        """Send records in order and wait for each acknowledgement; one result per record."""
        if self._producer is None:
            raise RuntimeError("publisher is not started")
        pending: list[asyncio.Future[Any] | BaseException] = []
        for message in messages:
            # send() itself raises for a record that can never be sent (too large, topic
            # unknown): that is this record's result, and must not stop the records after it.
            try:
                pending.append(
                    await self._producer.send(
                        message.topic,
                        value=message.value,
                        key=message.key.encode() if message.key is not None else None,
                        headers=list(message.headers),
                    )
                )
            except Exception as exc:
                pending.append(exc)
        futures = [p for p in pending if not isinstance(p, BaseException)]
        acks = iter(await asyncio.gather(*futures, return_exceptions=True))
        results = [p if isinstance(p, BaseException) else next(acks) for p in pending]
        return [r if isinstance(r, BaseException) else None for r in results]

    async def publish(self, message: OutgoingMessage) -> None:
        """Send one record and wait for its acknowledgement."""
        (error,) = await self.publish_many([message])
        if error is not None:
            raise error

    async def check_connection(self) -> None:
        """Raise unless the broker answers a metadata request."""
        if self._producer is None:
            raise RuntimeError("Kafka producer is not connected")
        await self._producer.client.fetch_all_metadata()
