"""Real infrastructure for every suite (a pytest plugin): Kafka, PostgreSQL, SMTP sink, webhooks
and the four services started on them (`start_stack`).

Point the suites at existing servers with PMO_TEST_KAFKA_BOOTSTRAP_SERVERS and
PMO_TEST_DATABASE_URL (an async SQLAlchemy URL whose user may CREATE DATABASE); otherwise they
start their own.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pmo_stack.kafka_broker import KafkaBroker, ensure_kafka_jars
from pmo_stack.ports import free_port
from pmo_stack.postgres_cluster import PostgresCluster, create_database_at
from pmo_stack.smtp_sink import SmtpSink, start_smtp_sink
from pmo_stack.testkit.running_stack import StackStarter
from pmo_stack.webhook_receiver import WebhookReceiver

MakeDatabase = Callable[[str], str]


def _distinct_free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a real Kafka broker for the whole session."""
    external = os.environ.get("PMO_TEST_KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    port, controller_port = _distinct_free_ports(2)
    broker: KafkaBroker | None = None
    try:
        broker = KafkaBroker(
            libs_dir=ensure_kafka_jars(),
            data_dir=tmp_path_factory.mktemp("kafka"),
            port=port,
            controller_port=controller_port,
        )
        broker.start()
        broker.wait_ready(timeout=90)
    except Exception as exc:
        if broker is not None:
            broker.stop()
        pytest.fail(
            f"could not start the local Kafka broker (needs java 17 and mvn): {exc}\n"
            "Set PMO_TEST_KAFKA_BOOTSTRAP_SERVERS to use an existing broker instead.",
            pytrace=False,
        )
    yield broker.bootstrap_servers
    broker.stop()


@pytest.fixture(scope="session")
def postgres_cluster_url() -> Iterator[str]:
    """Admin URL (postgresql+asyncpg://) of a real PostgreSQL server for the whole session."""
    external = os.environ.get("PMO_TEST_DATABASE_URL")
    if external:
        yield external
        return
    # Not under pytest's tmp dir: that is mode 0700 and the server runs as the postgres user.
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-test-pg-"))
    cluster: PostgresCluster | None = None
    try:
        cluster = PostgresCluster(data_dir=data_dir, port=free_port())
        cluster.start()
        cluster.wait_ready()
    except Exception as exc:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.fail(
            f"could not start a throwaway PostgreSQL server: {exc}\n"
            "Install Debian's `postgresql` package (.ci/run does) or set PMO_TEST_DATABASE_URL.",
            pytrace=False,
        )
    yield cluster.admin_url
    cluster.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def make_database(postgres_cluster_url: str) -> MakeDatabase:
    """Factory: make_database(prefix) creates a fresh, uniquely named database; returns its URL."""

    def make(prefix: str) -> str:
        safe = re.sub(r"[^a-z0-9_]", "_", prefix.lower()).strip("_")[:40] or "db"
        if not safe[0].isalpha():
            safe = f"db_{safe}"
        return create_database_at(postgres_cluster_url, f"{safe}_{uuid.uuid4().hex[:12]}")

    return make


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A fresh SMTP server on a free loopback port, keeping messages in memory."""
    try:
        sink = start_smtp_sink()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield sink
    sink.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A fresh HTTP server on a free loopback port that records every request."""
    with WebhookReceiver("127.0.0.1", 0) as receiver:
        yield receiver


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """A service's lifespan rewires the root and uvicorn loggers: put them back afterwards."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "aiokafka")
    saved = {
        name: (logger.handlers[:], logger.propagate, logger.level)
        for name in names
        for logger in [logging.getLogger(name or None)]
    }
    yield
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name or None)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)


@pytest.fixture(scope="session")
def start_stack(
    kafka_bootstrap: str,
    make_database: MakeDatabase,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[StackStarter]:
    """Factory: start_stack(name, env_overrides, issuer=, audience=) -> RunningStack.

    The four services, migrated and started on this session's Kafka and PostgreSQL with an SMTP
    sink and a webhook receiver; every stack started is stopped when the session ends.
    """
    starter = StackStarter(
        kafka_bootstrap=kafka_bootstrap,
        make_database=make_database,
        tmp_path_factory=tmp_path_factory,
    )
    yield starter
    starter.stop_all()
