"""Topic names (topic = event type) and their creation at start-up."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pmo_common.events.catalog import EVENT_CATALOG

DEAD_LETTER_SUFFIX = ".dlq"
log = logging.getLogger(__name__)


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic paired with a topic."""
    return f"{topic}{DEAD_LETTER_SUFFIX}"


def all_topics() -> list[str]:
    """Every event topic of the catalog and its dead-letter topic."""
    topics = sorted(EVENT_CATALOG)
    return topics + [dead_letter_topic(t) for t in topics]


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str] | None = None,
    *,
    partitions: int = 3,
    replication: int = 1,
) -> list[str]:
    """Create the missing topics; returns the names created."""
    wanted = topics if topics is not None else all_topics()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="pmo-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            new = [
                NewTopic(t, num_partitions=partitions, replication_factor=replication)
                for t in missing
            ]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another process")
            log.info("created topics", extra={"topic": ",".join(missing)})
        return missing
    finally:
        await admin.close()
