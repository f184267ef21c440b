"""The four services as real uvicorn processes on the kit's Kafka and PostgreSQL, for a suite.

A `StackStarter` migrates and starts intake, monitoring, standards and notifications
(`pmo_stack.services.Stack`) with an SMTP sink and a webhook receiver as their peers, a fresh
database each and a secret of their own; a suite's conftest states only what is its own: the
environment it overrides and the issuer and audience the services check. The session-scoped
`start_stack` fixture (fixtures.py) is a `StackStarter`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from pmo_stack.ports import free_port
from pmo_stack.services import SERVICES, Stack
from pmo_stack.smtp_sink import SmtpSink, start_smtp_sink
from pmo_stack.testkit.tokens import TokenFactory
from pmo_stack.webhook_receiver import WebhookReceiver


@dataclass
class RunningStack:
    """The launched stack, the real peers it talks to and the tokens it accepts."""

    stack: Stack
    smtp: SmtpSink
    webhooks: WebhookReceiver
    tokens: TokenFactory

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each service, by name."""
        return self.stack.urls

    def url(self, service: str, path: str = "") -> str:
        """A service's base URL, followed by `path`."""
        return self.stack.urls[service] + path

    def stop(self) -> None:
        """Stop the services, then their peers."""
        self.stack.stop()
        self.webhooks.stop()
        self.smtp.stop()


def stack_environment(
    tokens: TokenFactory, smtp: SmtpSink, *, data_dir: Path, kafka_bootstrap: str
) -> dict[str, str]:
    """What every test stack is configured with: its peers, its secret, test mode."""
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "PMO_AUTH_JWT_SECRET": tokens.secret,
        "PMO_SMTP_HOST": smtp.host,
        "PMO_SMTP_PORT": str(smtp.port),
        "PMO_SMTP_FROM": "pmo@example.com",
        "PMO_LOG_LEVEL": "WARNING",
    }
    if tokens.issuer:
        env["PMO_AUTH_ISSUER"] = tokens.issuer
    if tokens.audience:
        env["PMO_AUTH_AUDIENCE"] = tokens.audience
    return env


class StackStarter:
    """The `start_stack` fixture: `start_stack(name, env_overrides, issuer=, audience=)`.

    Migrates and starts the four services, each on a fresh database named after `name`; the
    fixture stops every stack started when the session ends.
    """

    def __init__(
        self,
        *,
        kafka_bootstrap: str,
        make_database: Callable[[str], str],
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        self._kafka_bootstrap = kafka_bootstrap
        self._make_database = make_database
        self._tmp_path_factory = tmp_path_factory
        self.started: list[RunningStack] = []

    def __call__(
        self,
        name: str,
        env_overrides: Mapping[str, str] | None = None,
        *,
        issuer: str | None = None,
        audience: str | None = None,
    ) -> RunningStack:
        tokens = TokenFactory(secrets.token_hex(24), issuer=issuer, audience=audience)
        data_dir = self._tmp_path_factory.mktemp(f"{name}-stack")
        try:
            running = self._launch(name, tokens, data_dir, env_overrides or {})
        except Exception as exc:
            pytest.fail(f"the stack did not start: {exc}", pytrace=False)
        self.started.append(running)
        return running

    def _launch(
        self, name: str, tokens: TokenFactory, data_dir: Path, env_overrides: Mapping[str, str]
    ) -> RunningStack:
        smtp = start_smtp_sink()
        webhooks = WebhookReceiver("127.0.0.1", 0)
        webhooks.start()
        env = stack_environment(
            tokens, smtp, data_dir=data_dir, kafka_bootstrap=self._kafka_bootstrap
        )
        for service in SERVICES:
            env[f"PMO_{service.upper()}_DATABASE_URL"] = self._make_database(f"{name}_{service}")
        env.update(env_overrides)
        stack = Stack(data_dir=data_dir, env=env, ports={s: free_port() for s in SERVICES})
        try:
            stack.start(timeout=120)
        except BaseException:
            webhooks.stop()
            smtp.stop()
            raise
        return RunningStack(stack=stack, smtp=smtp, webhooks=webhooks, tokens=tokens)

    def stop_all(self) -> None:
        """Stop every stack started, the last first."""
        for running in reversed(self.started):
            running.stop()
        self.started.clear()
