"""What the stack itself holds about a scenario's projects: notifications' alerts and delivery
log (read through its API, as a PMO admin) and the records on the Kafka topics."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.topics import dead_letter_topic

from pmo_stack.testkit.kafka_records import committed_offsets, partitions_of, read_all

PAGE = 200
# Attempts still to be made (a "retrying" row is a failed attempt that a pending one follows).
ACTIVE_DELIVERY_STATUSES = ("pending",)
# The topics one project's story crosses, from its registration to its recovery.
STORY_TOPICS = (
    "project.created",
    "project.status_reported",
    "project.health_changed",
    "project.at_risk",
    "project.recovered",
)
DEAD_LETTER_TOPICS = tuple(dead_letter_topic(topic) for topic in STORY_TOPICS)
# The consumer groups (and topics) the story waits on, shown when a scenario is stuck.
LAGS_WATCHED = (
    ("pmo-monitoring", "project.created"),
    ("pmo-notifications", "project.at_risk"),
    ("pmo-notifications", "project.recovered"),
)
# Standards' view of a project, 404 until it has applied the project's `project.created`.
COMPLIANCE = "/v1/projects/{}/compliance"


async def every_page(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    """Every item of a paginated list route (`limit`/`offset`, `next_offset`)."""
    items: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        answer = await http.get(
            url, headers=headers, params={**params, "limit": str(PAGE), "offset": str(offset)}
        )
        assert answer.status_code == 200, f"GET {url}: {answer.status_code} {answer.text[:300]}"
        body = answer.json()
        items.extend(body["items"])
        offset = body["next_offset"]
    return items


async def at_risk_alerts(
    http: httpx.AsyncClient, notifications: str, admin: dict[str, str], projects: set[str]
) -> list[dict[str, Any]]:
    """The at-risk alerts of `projects`, whatever their status."""
    alerts = await every_page(http, f"{notifications}/v1/alerts", admin)
    return [a for a in alerts if a["kind"] == "at_risk" and a["project_id"] in projects]


async def deliveries_in(
    http: httpx.AsyncClient,
    notifications: str,
    admin: dict[str, str],
    projects: set[str],
    statuses: Iterable[str],
) -> list[dict[str, Any]]:
    """The delivery attempts about `projects` in any of `statuses`."""
    found: list[dict[str, Any]] = []
    for status in statuses:
        page = await every_page(http, f"{notifications}/v1/deliveries", admin, status=status)
        found.extend(d for d in page if d["project_id"] in projects)
    return found


async def unknown_to(
    http: httpx.AsyncClient, service: str, admin: dict[str, str], projects: set[str], path: str
) -> set[str]:
    """The projects whose `path` (formatted with the id) the service does not answer 200."""
    ordered = sorted(projects)
    answers = await asyncio.gather(
        *(http.get(service + path.format(project), headers=admin) for project in ordered)
    )
    return {p for p, answer in zip(ordered, answers, strict=True) if answer.status_code != 200}


async def records_on(bootstrap: str, topics: Iterable[str]) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now on `topics` (each read from its beginning to its end, side by side)."""
    per_topic = await asyncio.gather(*(read_all(bootstrap, topic) for topic in topics))
    return [record for records in per_topic for record in records]


def keyed_by(records: Iterable[ConsumerRecord[bytes, bytes]], projects: set[str]) -> list[Any]:
    """The records whose key is one of `projects` (every topic here is keyed by project id)."""
    return [r for r in records if r.key is not None and r.key.decode() in projects]


def event_counts(records: Iterable[ConsumerRecord[bytes, bytes]]) -> tuple[int, int]:
    """(records, distinct CloudEvent ids) among `records`."""
    listed = list(records)
    ids = Counter(CloudEvent.from_bytes(record.value or b"").id for record in listed)
    return len(listed), len(ids)


async def _lag(bootstrap: str, group: str, topic: str) -> str:
    committed = await committed_offsets(bootstrap, group, topic)
    partitions = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
        end = {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()
    behind = sum(offset - committed.get(partition, 0) for partition, offset in end.items())
    return f"{group} on {topic}: {behind} records behind (committed {committed}, end {end})"


async def diagnosis(
    http: httpx.AsyncClient, urls: dict[str, str], bootstrap: str, projects: set[str]
) -> str:
    """Where a scenario's story stopped: its records on each topic, how far the consumer groups
    are behind, and what each service's readiness probe says."""
    lines = []
    for topic in STORY_TOPICS:
        found = len(keyed_by(await records_on(bootstrap, [topic]), projects))
        lines.append(f"{topic}: {found} records about these projects")
    for group, topic in LAGS_WATCHED:
        lines.append(await _lag(bootstrap, group, topic))
    for service, url in urls.items():
        try:
            answer = await http.get(f"{url}/readyz")
            lines.append(f"{service} /readyz: {answer.status_code} {answer.text[:400]}")
        except httpx.HTTPError as exc:
            lines.append(f"{service} /readyz: {type(exc).__name__}")
    return "\n  ".join(lines)
