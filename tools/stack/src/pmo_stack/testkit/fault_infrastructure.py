"""Kafka and PostgreSQL servers a fault test may crash, stop and bring back on the same ports.

The kit's `kafka_bootstrap` and `postgres_cluster_url` fixtures hand out addresses only (and may
point at shared servers); a fault suite starts its own servers through these instead, keeps the
handles, and overrides those two fixtures with their addresses so `start_stack` runs on them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from pmo_stack.kafka_broker import KafkaBroker, ensure_kafka_jars
from pmo_stack.ports import free_port
from pmo_stack.postgres_cluster import PostgresCluster

BROKER_READY_SECONDS = 120.0


class KillableBroker(KafkaBroker):
    """A local KRaft broker that can be killed like a crashed machine (`kill`) and started again.

    The data directory and ports stay, so clients reconnect to the same address and find the
    topics, offsets and consumer groups the broker had written before it died.
    """

    def restart(self, timeout: float = BROKER_READY_SECONDS) -> None:
        """Start again on the same ports and data, and wait until it answers metadata."""
        self.start()
        self.wait_ready(timeout)


@dataclass(frozen=True)
class FaultServers:
    """A fault suite's own servers: the broker it kills, the PostgreSQL server it stops."""

    broker: KillableBroker
    postgres: PostgresCluster


def _two_distinct_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


@contextmanager
def killable_broker(data_dir: Path) -> Iterator[KillableBroker]:
    """A KillableBroker started under `data_dir` and ready; stopped on the way out."""
    port, controller_port = _two_distinct_ports()
    broker = KillableBroker(
        libs_dir=ensure_kafka_jars(),
        data_dir=data_dir,
        port=port,
        controller_port=controller_port,
    )
    try:
        broker.start()
        broker.wait_ready(BROKER_READY_SECONDS)
        yield broker
    finally:
        broker.stop()


@contextmanager
def stoppable_postgres() -> Iterator[PostgresCluster]:
    """A private PostgreSQL server, started and ready; `stop()` and `start()` it at will.

    Not under pytest's temporary directory: that is mode 0700 and the server runs as the
    postgres user (as the kit's own fixture does).
    """
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-fault-pg-"))
    cluster = PostgresCluster(data_dir=data_dir, port=free_port())
    try:
        cluster.start()
        cluster.wait_ready()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def fault_servers(kafka_dir: Path) -> Iterator[FaultServers]:
    """A killable broker and a stoppable PostgreSQL server, started side by side."""
    with ExitStack() as started:
        with ThreadPoolExecutor(max_workers=2) as pool:
            broker = pool.submit(started.enter_context, killable_broker(kafka_dir))
            postgres = pool.submit(started.enter_context, stoppable_postgres())
        yield FaultServers(broker.result(), postgres.result())
