"""The test infrastructure itself works: real Kafka, PostgreSQL, SMTP and HTTP round trips."""

from __future__ import annotations

import asyncio
import json
import smtplib
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import UnknownTopicOrPartitionError
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.webhook_receiver import WebhookReceiver
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration


async def test_kafka_round_trip_through_a_created_topic(kafka_bootstrap: str) -> None:
    topic = f"infra.test.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert len(described[0]["partitions"]) == 3

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic, b'{"hello": "kafka"}', key=b"project-1", headers=[("traceparent", b"00-abc")]
        )
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"infra-test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"project-1", b'{"hello": "kafka"}')
    assert record.partition == sent.partition
    assert ("traceparent", b"00-abc") in list(record.headers)


async def test_kafka_does_not_auto_create_topics(kafka_bootstrap: str) -> None:
    topic = f"infra.absent.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, request_timeout_ms=2000)
    await producer.start()
    try:
        # The producer polls metadata for the topic until request_timeout_ms, then gives up.
        with pytest.raises(UnknownTopicOrPartitionError):
            await producer.send_and_wait(topic, b"x")
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


async def test_postgres_databases_are_real_and_isolated(
    make_database: Callable[[str], str],
) -> None:
    first_url, second_url = make_database("infra_a"), make_database("infra_b")
    assert first_url.startswith("postgresql+asyncpg://") and first_url != second_url

    first = create_async_engine(first_url)
    second = create_async_engine(second_url)
    try:
        async with first.begin() as conn:
            await conn.execute(text("CREATE TABLE probe (id serial PRIMARY KEY, note text)"))
            await conn.execute(text("INSERT INTO probe (note) VALUES ('one'), ('two')"))
        async with first.connect() as conn:
            count = await conn.scalar(text("SELECT count(*) FROM probe"))
            database = await conn.scalar(text("SELECT current_database()"))
            version = await conn.scalar(text("SHOW server_version_num"))
        async with second.connect() as conn:
            in_second = await conn.scalar(text("SELECT to_regclass('public.probe') IS NOT NULL"))
    finally:
        await first.dispose()
        await second.dispose()
    assert count == 2
    assert database == first_url.rsplit("/", 1)[1]
    assert int(str(version)) >= 130000
    assert in_second is False


def _send_mail(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message)


async def test_smtp_sink_receives_mail(smtp_sink: SmtpSink) -> None:
    message = EmailMessage()
    message["From"] = "pmo@example.org"
    message["To"] = "manager@example.org"
    message["Subject"] = "Project Apollo is at risk"
    message.set_content("CPI 0.82 is below 0.90.")

    await asyncio.to_thread(_send_mail, smtp_sink.port, message)
    received = await smtp_sink.wait_for(lambda m: m["Subject"] == "Project Apollo is at risk")

    assert received["To"] == "manager@example.org"
    body = received.get_body()
    assert body is not None and "CPI 0.82" in body.get_content()
    assert smtp_sink.deliveries[0].rcpt_tos == ("manager@example.org",)


def test_smtp_sink_writes_eml_files(tmp_path: Path) -> None:
    from pmo_stack.ports import free_port

    mailbox = tmp_path / "mailbox"
    with SmtpSink("127.0.0.1", free_port(), mailbox) as sink:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.org", "b@x.org", "hello"
        message.set_content("to disk")
        _send_mail(sink.port, message)
        sink.wait_for_sync(lambda m: m["Subject"] == "hello")
    files = list(mailbox.glob("*.eml"))
    assert len(files) == 1 and b"Subject: hello" in files[0].read_bytes()


async def test_webhook_receiver_records_requests(webhook_receiver: WebhookReceiver) -> None:
    payload = {"type": "project.at_risk", "id": str(uuid.uuid4())}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{webhook_receiver.url}/hooks/pmo",
            content=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Webhook-Id": "msg_1"},
        )
    assert response.status_code == 204

    request = await webhook_receiver.wait_for(lambda r: r.path == "/hooks/pmo")
    assert request.method == "POST"
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == payload


async def test_webhook_receiver_can_fail_the_next_requests(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.fail_next(2)
    async with httpx.AsyncClient() as client:
        statuses = [
            (await client.post(f"{webhook_receiver.url}/retry", content=b"{}")).status_code
            for _ in range(3)
        ]
    assert statuses == [500, 500, 204]
    assert [r.status for r in webhook_receiver.requests] == [500, 500, 204]
