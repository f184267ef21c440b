"""`make run`: Kafka, an SMTP sink and the four services on this machine, configured from PMO_*."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from pmo_common.auth.tokens import mint_dev_token
from pmo_common.messaging.topics import ensure_topics
from pmo_common.settings import DEVELOPMENT_JWT_SECRET

from pmo_stack.kafka_broker import KafkaBroker, ensure_kafka_jars
from pmo_stack.paths import repo_root
from pmo_stack.process_group import tail
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink

# The services' own development default: settings refuse it outside development.
DEV_JWT_SECRET = DEVELOPMENT_JWT_SECRET
DEV_KAFKA_PORT = 9092
DEV_KAFKA_CONTROLLER_PORT = 9093
DEV_SMTP_PORT = 8025
DEV_ADMIN_EMAIL = "admin@pmo.local"
# Who the `pmo` level of an escalation ladder e-mails in development (their mail lands in
# .data/mailbox/ like everyone's).
DEV_PMO_EMAILS = "pmo@example.com"

# Handed to the services unchanged when set in the caller's environment.
_PASSTHROUGH = ("PMO_SMTP_FROM", "PMO_AUTH_ISSUER", "PMO_AUTH_AUDIENCE", "PMO_AUTH_JWKS_URL")


@dataclass(frozen=True)
class DevConfig:
    """What `run` starts itself and the environment every service gets."""

    data_dir: Path
    external_kafka: str | None
    external_smtp: tuple[str, int] | None
    sink_port: int
    service_env: dict[str, str]


def dev_config(environ: Mapping[str, str]) -> DevConfig:
    """Resolve the dev stack's configuration from PMO_* variables and their local defaults."""
    data_dir = Path(environ.get("PMO_DATA_DIR") or repo_root() / ".data").resolve()
    external_kafka = environ.get("PMO_KAFKA_BOOTSTRAP_SERVERS") or None
    smtp_port = int(environ.get("PMO_SMTP_PORT") or DEV_SMTP_PORT)
    smtp_host = environ.get("PMO_SMTP_HOST") or None
    env = {
        "PMO_ENVIRONMENT": environ.get("PMO_ENVIRONMENT") or "development",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": external_kafka or f"127.0.0.1:{DEV_KAFKA_PORT}",
        "PMO_AUTH_JWT_SECRET": environ.get("PMO_AUTH_JWT_SECRET") or DEV_JWT_SECRET,
        "PMO_SMTP_HOST": smtp_host or "127.0.0.1",
        "PMO_SMTP_PORT": str(smtp_port),
        "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": (
            environ.get("PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE") or "true"
        ),
        "PMO_NOTIFICATIONS_PMO_EMAILS": (
            environ.get("PMO_NOTIFICATIONS_PMO_EMAILS") or DEV_PMO_EMAILS
        ),
        # E-mails say where the terms are explained: the dashboard's glossary.
        "PMO_NOTIFICATIONS_DASHBOARD_URL": (
            environ.get("PMO_NOTIFICATIONS_DASHBOARD_URL")
            or f"http://127.0.0.1:{SERVICES['monitoring']}"
        ),
    }
    for name in SERVICES:
        key = f"PMO_{name.upper()}_DATABASE_URL"
        env[key] = environ.get(key) or f"sqlite+aiosqlite:///{data_dir / name}.db"
    env.update({key: environ[key] for key in _PASSTHROUGH if environ.get(key)})
    return DevConfig(
        data_dir=data_dir,
        external_kafka=external_kafka,
        external_smtp=(smtp_host, smtp_port) if smtp_host else None,
        sink_port=smtp_port,
        service_env=env,
    )


def mint_token(environ: Mapping[str, str], *, email: str, roles: list[str]) -> str:
    """Mint an HS256 development token with the stack's secret, issuer and audience."""
    return mint_dev_token(
        secret=environ.get("PMO_AUTH_JWT_SECRET") or DEV_JWT_SECRET,
        sub=email,
        email=email,
        roles=roles,
        issuer=environ.get("PMO_AUTH_ISSUER") or None,
        audience=environ.get("PMO_AUTH_AUDIENCE") or None,
    )


class _StopRequested(Exception):
    """Ctrl-C or SIGTERM arrived."""


def _request_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopRequested(signal.Signals(signum).name)


def _step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.monotonic()


def run(environ: Mapping[str, str]) -> int:
    """Start everything, print how to use it, and run until Ctrl-C/SIGTERM; return the exit code."""
    config = dev_config(environ)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    broker: KafkaBroker | None = None
    sink: SmtpSink | None = None
    stack: Stack | None = None
    exit_code = 0
    try:
        bootstrap = config.service_env["PMO_KAFKA_BOOTSTRAP_SERVERS"]
        if config.external_kafka is None:
            started = _step(f"Kafka (KRaft) on {bootstrap}")
            broker = KafkaBroker(
                libs_dir=ensure_kafka_jars(),
                data_dir=config.data_dir / "kafka",
                port=DEV_KAFKA_PORT,
                controller_port=DEV_KAFKA_CONTROLLER_PORT,
            )
            broker.start()
            broker.wait_ready(timeout=90)
            print(f"    ready in {time.monotonic() - started:.1f}s", flush=True)
        _step("Kafka topics")
        asyncio.run(_ensure_topics(bootstrap))
        if config.external_smtp is None:
            _step(f"SMTP sink on 127.0.0.1:{config.sink_port}")
            sink = SmtpSink("127.0.0.1", config.sink_port, config.data_dir / "mailbox")
            sink.start()
        started = _step("migrations and services")
        stack = Stack(data_dir=config.data_dir, env=config.service_env)
        stack.start()
        print(f"    ready in {time.monotonic() - started:.1f}s", flush=True)
        _print_banner(config, stack, environ)
        exit_code = _supervise(stack)
    except _StopRequested as stop:
        print(f"\n==> {stop}: shutting down", flush=True)
    except (RuntimeError, TimeoutError, OSError) as exc:
        # These carry the failing component's own output; a Python traceback adds nothing.
        print(f"\n==> startup failed: {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        # A second Ctrl-C must not interrupt the orderly shutdown below (each step is bounded).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stack is not None:
            stack.stop()
        if sink is not None:
            sink.stop()
        if broker is not None:
            broker.stop()
        print("==> stopped", flush=True)
    return exit_code


async def _ensure_topics(bootstrap_servers: str) -> None:
    created = await ensure_topics(bootstrap_servers)
    print(f"    {len(created)} created", flush=True)


def _supervise(stack: Stack) -> int:
    """Sleep until a signal arrives; if a service dies, report it and return 1."""
    while True:
        time.sleep(1.0)
        for name, proc in stack.services.items():
            if not proc.is_running:
                print(f"\n==> {name} exited unexpectedly; last log lines:", file=sys.stderr)
                print(tail(proc.log_path), file=sys.stderr, flush=True)
                return 1


def _print_banner(config: DevConfig, stack: Stack, environ: Mapping[str, str]) -> None:
    token = mint_token(environ, email=DEV_ADMIN_EMAIL, roles=["pmo_admin"])
    if config.external_smtp is None:
        mail = f"SMTP sink 127.0.0.1:{config.sink_port} -> {config.data_dir / 'mailbox'}/*.eml"
    else:
        mail = f"SMTP server {config.external_smtp[0]}:{config.external_smtp[1]}"
    lines = ["", "PMO stack is up:"]
    lines += [f"  {name:<14} {url}  (docs: {url}/docs)" for name, url in stack.urls.items()]
    lines.append(f"  dashboard      {stack.urls['monitoring']}/ui/  (sign in with the token below)")
    lines += [
        f"  kafka          {config.service_env['PMO_KAFKA_BOOTSTRAP_SERVERS']}",
        f"  e-mail         {mail}",
        f"  logs           {config.data_dir / 'logs'}",
        "",
        f"Development admin token ({DEV_ADMIN_EMAIL}, pmo_admin):",
        f"  export PMO_TOKEN={token}",
        '  curl -H "Authorization: Bearer $PMO_TOKEN" http://127.0.0.1:8001/v1/projects',
        "",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
