"""A record no service can read goes to the dead-letter topic, and the services carry on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pmo_stack.event_tap import EventTap
from pmo_stack.testkit import eventually

pytestmark = pytest.mark.e2e


async def test_garbage_on_a_real_topic_is_dead_lettered_and_later_events_still_apply(
    running_stack: Any,
    kafka_bootstrap: str,
    token_for: Callable[..., dict[str, str]],
    http: httpx.AsyncClient,
) -> None:
    poison_key = f"poison-{uuid.uuid4()}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            "project.created", b"\x00\xffnot a cloudevent", key=poison_key.encode()
        )
    finally:
        await producer.stop()

    today = datetime.now(UTC).date()
    created = await http.post(
        f"{running_stack.url('intake')}/v1/projects",
        headers=token_for("pmo_admin", "pmo-admin@example.com"),
        json={
            "name": "Mercury after the poison",
            "manager": "katherine.johnson@example.com",
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=90)).isoformat(),
            "budget": 5000,
        },
    )
    assert created.status_code == 201
    project_id = created.json()["id"]

    async def monitoring_knows() -> bool | None:
        answer = await http.get(
            f"{running_stack.url('monitoring')}/v1/projects/{project_id}/health",
            headers=token_for("viewer", "auditor@example.com"),
        )
        return True if answer.status_code == 200 else None

    assert await eventually(monitoring_knows, what="monitoring to apply the later event")

    tap = EventTap(kafka_bootstrap, ["project.created.dlq"])
    await tap.start()
    try:

        async def dead_letters() -> list[dict[str, str]] | None:
            await tap.settle(0.2)
            found = [
                headers
                for _topic, headers, value in tap.records
                if value == b"\x00\xffnot a cloudevent"
            ]
            groups = {headers.get("dlq-consumer-group") for headers in found}
            return found if "pmo-monitoring" in groups else None

        letters = await eventually(dead_letters, what="the dead letter from monitoring")
    finally:
        await tap.stop()
    monitoring_letter = next(h for h in letters if h["dlq-consumer-group"] == "pmo-monitoring")
    assert monitoring_letter["dlq-original-topic"] == "project.created"
    assert "CloudEvent" in monitoring_letter["dlq-error"]
