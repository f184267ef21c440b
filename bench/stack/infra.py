"""What the stack benchmarks run on: Kafka, PostgreSQL, an SMTP sink, a webhook receiver, and
the four services as uvicorn processes (pmo_stack's own launcher), all on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pmo_stack.kafka_broker import KafkaBroker, ensure_kafka_jars
from pmo_stack.ports import free_port
from pmo_stack.postgres_cluster import PostgresCluster, create_database_at
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink, start_smtp_sink
from pmo_stack.testkit.running_stack import stack_environment
from pmo_stack.testkit.tokens import TokenFactory
from pmo_stack.webhook_receiver import WebhookReceiver

Backend = Literal["pg", "sqlite"]
BACKEND_NAMES: dict[Backend, str] = {"pg": "PostgreSQL", "sqlite": "SQLite"}

# Webhooks go to the loopback receiver. The overdue-report job is off: the roll-up seeds up to
# 100,000 projects without status reports, which it would announce one by one, and none of
# the figures measures it.
BENCH_ENVIRONMENT = {
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PMO_MONITORING_OVERDUE_CHECK_SECONDS": "0",
    "PMO_LOG_LEVEL": "WARNING",
}
ADMIN_EMAIL = "bench-admin@example.com"


@dataclass(frozen=True)
class Infrastructure:
    """The peers every stack shares: one broker, one PostgreSQL server, SMTP, webhooks."""

    bootstrap: str
    postgres_admin_url: str
    smtp: SmtpSink
    webhooks: WebhookReceiver
    work_dir: Path


@contextmanager
def infrastructure() -> Iterator[Infrastructure]:
    """Start Kafka and PostgreSQL (in parallel), an SMTP sink and a webhook receiver."""
    with ExitStack() as cleanup:
        work_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-stack-"))
        cleanup.callback(shutil.rmtree, work_dir, ignore_errors=True)
        # Its own temporary folder: the server runs as the postgres user, which must reach it.
        postgres_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-pg-"))
        cleanup.callback(shutil.rmtree, postgres_dir, ignore_errors=True)
        kafka_port = free_port()
        controller_port = next(port for port in iter(free_port, None) if port != kafka_port)
        broker = KafkaBroker(
            libs_dir=ensure_kafka_jars(),
            data_dir=work_dir / "kafka",
            port=kafka_port,
            controller_port=controller_port,
        )
        cleanup.callback(broker.stop)
        cluster = PostgresCluster(data_dir=postgres_dir, port=free_port())
        cleanup.callback(cluster.stop)

        def start_broker() -> None:
            broker.start()
            broker.wait_ready(timeout=120)

        def start_cluster() -> None:
            cluster.start()
            cluster.wait_ready(timeout=60)

        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(start_broker), pool.submit(start_cluster)]:
                future.result()
        smtp = start_smtp_sink()
        cleanup.callback(smtp.stop)
        webhooks = WebhookReceiver("127.0.0.1", 0)
        webhooks.start()
        cleanup.callback(webhooks.stop)
        yield Infrastructure(
            bootstrap=broker.bootstrap_servers,
            postgres_admin_url=cluster.admin_url,
            smtp=smtp,
            webhooks=webhooks,
            work_dir=work_dir,
        )


@dataclass
class BenchStack:
    """The four services on one database backend, and the tokens they accept."""

    backend: Backend
    stack: Stack
    tokens: TokenFactory
    database_urls: dict[str, str]
    _admin_headers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """PostgreSQL or SQLite."""
        return BACKEND_NAMES[self.backend]

    def url(self, service: str, path: str = "") -> str:
        """A service's base URL followed by `path`."""
        return self.stack.urls[service] + path

    def port(self, service: str) -> int:
        """The port a service listens on."""
        return self.stack.services[service].port

    def admin_headers(self) -> dict[str, str]:
        """A PMO admin's Authorization header (admins may file any project's reports).

        Minted once: a token lives twelve hours, far longer than a run.
        """
        if not self._admin_headers:
            self._admin_headers.update(self.tokens.headers("pmo_admin", ADMIN_EMAIL))
        return dict(self._admin_headers)

    def pid(self, service: str) -> int | None:
        """The process id of a running service (its uvicorn command line names it and its port)."""
        wanted = [f"pmo_{service}.main:app", "--port", str(self.port(service))]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                arguments = (entry / "cmdline").read_bytes().decode().split("\0")
            except OSError:
                continue  # exited while we looked
            if all(word in arguments for word in wanted):
                return int(entry.name)
        return None


def _database_urls(infra: Infrastructure, backend: Backend, data_dir: Path) -> dict[str, str]:
    suffix = secrets.token_hex(4)
    if backend == "pg":
        return {
            service: create_database_at(infra.postgres_admin_url, f"bench_{service}_{suffix}")
            for service in SERVICES
        }
    return {service: f"sqlite+aiosqlite:///{data_dir / service}.db" for service in SERVICES}


async def start_stack(infra: Infrastructure, backend: Backend) -> BenchStack:
    """Migrate and start the four services on fresh databases of `backend`."""
    tokens = TokenFactory(secrets.token_hex(24))
    data_dir = infra.work_dir / f"stack-{backend}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = stack_environment(tokens, infra.smtp, data_dir=data_dir, kafka_bootstrap=infra.bootstrap)
    env.update(BENCH_ENVIRONMENT)
    urls = await asyncio.to_thread(_database_urls, infra, backend, data_dir)
    for service, url in urls.items():
        env[f"PMO_{service.upper()}_DATABASE_URL"] = url
    stack = Stack(data_dir=data_dir, env=env, ports={s: free_port() for s in SERVICES})
    await asyncio.to_thread(stack.start, 180)
    return BenchStack(backend=backend, stack=stack, tokens=tokens, database_urls=urls)
