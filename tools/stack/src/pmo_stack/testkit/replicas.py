"""More processes of a running stack's services: replicas on the same database and Kafka group.

A replica is another uvicorn process of the same service with the same environment (hence the
same database, consumer group and peers) on a port of its own: it shares the partitions of the
service's topics, the outbox and, for notifications, the delivery queue with the first process,
as a second pod of a Deployment would.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from pmo_stack.ports import free_port
from pmo_stack.services import ServiceProcess
from pmo_stack.testkit.running_stack import RunningStack

REPLICA_READY_SECONDS = 120.0


def start_replica(running: RunningStack, service: str, *, number: int = 2) -> ServiceProcess:
    """Start replica `number` of `service` beside the stack's own process; wait until ready."""
    first = running.stack.services[service]
    replica = ServiceProcess(
        service,
        env=first.env,
        log_path=first.log_path.with_name(f"{service}-{number}.log"),
        port=free_port(),
    )
    replica.start()
    try:
        replica.wait_ready(REPLICA_READY_SECONDS)
    except BaseException:
        replica.stop()
        raise
    return replica


@contextmanager
def replicas_of(running: RunningStack, *services: str) -> Iterator[dict[str, ServiceProcess]]:
    """A second process of each service, by name, while the block runs; stopped afterwards.

    They start (and stop) side by side: each waits on its own imports and readiness probe.
    """
    started: dict[str, ServiceProcess] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
            futures = {s: pool.submit(start_replica, running, s) for s in services}
        failures = []
        for service, future in futures.items():
            try:
                started[service] = future.result()
            except Exception as exc:
                failures.append(exc)
        if failures:
            raise failures[0]
        yield started
    finally:
        with ThreadPoolExecutor(max_workers=max(1, len(started))) as pool:
            list(pool.map(ServiceProcess.stop, started.values()))
