"""Reading what the services published, straight from Kafka, as a test would observe it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer


class EventTap:
    """A throwaway consumer group reading topics from the beginning, kept per test."""

    def __init__(self, bootstrap_servers: str, topics: list[str]) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=f"e2e-tap-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.records: list[tuple[str, dict[str, str], bytes]] = []

    async def start(self) -> None:
        """Join the group."""
        await self._consumer.start()

    async def stop(self) -> None:
        """Leave the group."""
        await self._consumer.stop()

    async def _drain(self) -> None:
        batches = await self._consumer.getmany(timeout_ms=200)
        for records in batches.values():
            for record in records:
                headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
                self.records.append((record.topic, headers, record.value or b""))

    def events(self, event_type: str, subject: str) -> list[dict[str, Any]]:
        """Parsed CloudEvents of a type about a subject, in arrival order."""
        found = []
        for topic, _headers, value in self.records:
            if topic != event_type:
                continue
            try:
                event = json.loads(value)
            except ValueError:
                continue
            if event.get("subject") == subject:
                found.append(event)
        return found

    async def wait_for_events(
        self, event_type: str, subject: str, count: int, *, within: float = 20.0
    ) -> list[dict[str, Any]]:
        """Wait until `count` events of a type about a subject have been read."""
        deadline = time.monotonic() + within
        while True:
            await self._drain()
            found = self.events(event_type, subject)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"saw {len(found)} of {count} {event_type} events for {subject} in {within}s"
                )
            await asyncio.sleep(0.05)

    async def settle(self, seconds: float = 1.5) -> None:
        """Keep reading for a while, so that events that should NOT come have had their chance."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self._drain()
