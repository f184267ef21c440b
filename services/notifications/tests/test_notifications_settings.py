"""The settings read the environment variable names the contract fixes."""

from __future__ import annotations

from typing import Any

import pytest
from pmo_notifications.config import NotificationsSettings

ENVIRONMENT = {
    "PMO_NOTIFICATIONS_DATABASE_URL": "sqlite+aiosqlite:////tmp/n.db",
    "PMO_SMTP_HOST": "mail.example.com",
    "PMO_SMTP_PORT": "2525",
    "PMO_SMTP_FROM": "pmo@example.com",
    "PMO_SMTP_USERNAME": "pmo",
    "PMO_SMTP_PASSWORD": "s3cret",
    "PMO_SMTP_STARTTLS": "true",
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PMO_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS": "7",
    "PMO_NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS": "0.5",
    "PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "3",
    "PMO_NOTIFICATIONS_DELIVERY_GIVE_UP_AFTER_SECONDS": "3600",
    "PMO_NOTIFICATIONS_WEBHOOK_MAX_CONCURRENCY_PER_HOST": "4",
    "PMO_NOTIFICATIONS_CIRCUIT_FAILURE_THRESHOLD": "8",
    "PMO_NOTIFICATIONS_CIRCUIT_OPEN_SECONDS": "0.5",
    "PMO_SMTP_TIMEOUT_SECONDS": "20",
    "PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS": " Example.com, *.corp.example.org.,,example.com",
    "PMO_NOTIFICATIONS_ESCALATION_CHECK_SECONDS": "1",
    "PMO_NOTIFICATIONS_PMO_EMAILS": " pmo-desk@example.com,, ops@example.com ,PMO-desk@example.com",
}


# Each setting the environment above changes: (its default, its value under ENVIRONMENT).
EXPECTED: dict[str, tuple[Any, Any]] = {
    "smtp_host": ("127.0.0.1", "mail.example.com"),
    "smtp_port": (8025, 2525),
    "smtp_from": ("pmo@localhost", "pmo@example.com"),
    "smtp_username": (None, "pmo"),
    "smtp_starttls": (False, True),
    "webhook_allow_private": (False, True),
    "delivery_max_attempts": (5, 7),
    "delivery_backoff_seconds": (1.0, 0.5),
    "webhook_timeout_seconds": (5, 3),
    "delivery_give_up_after_seconds": (86400, 3600),
    "webhook_max_concurrency_per_host": (8, 4),
    "circuit_failure_threshold": (5, 8),
    "circuit_open_seconds": (30, 0.5),
    "smtp_timeout_seconds": (10, 20),
    "allowed_email_domains": ((), ("example.com", "*.corp.example.org")),
    "escalation_check_seconds": (30, 1),
    "pmo_emails": ((), ("pmo-desk@example.com", "ops@example.com")),
}


def read(settings: NotificationsSettings) -> dict[str, Any]:
    """The settings named in EXPECTED, with the values `settings` holds."""
    return {name: getattr(settings, name) for name in EXPECTED}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    settings = NotificationsSettings()
    assert read(settings) == {name: default for name, (default, _) in EXPECTED.items()}


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    settings = NotificationsSettings()
    assert settings.database_url == "sqlite+aiosqlite:////tmp/n.db"
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "s3cret"
    assert read(settings) == {name: configured for name, (_, configured) in EXPECTED.items()}


@pytest.mark.parametrize(
    "entry", ["@example.com", "ada@example.com", "com", "*.com", "*example.com", "exa mple.com"]
)
def test_a_malformed_email_domain_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS", f"example.com,{entry}")
    with pytest.raises(ValueError, match="is not a domain"):
        NotificationsSettings()


@pytest.mark.parametrize("timeout", ["0.5", "5", "29", "120"])
@pytest.mark.parametrize(
    "variable", ["PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", "PMO_SMTP_TIMEOUT_SECONDS"]
)
def test_the_claim_lease_always_outlasts_a_send(
    monkeypatch: pytest.MonkeyPatch, variable: str, timeout: str
) -> None:
    monkeypatch.setenv(variable, timeout)
    settings = NotificationsSettings()
    assert settings.delivery_claim_lease_seconds >= 30
    assert settings.delivery_claim_lease_seconds >= 3 * float(timeout)


def test_a_malformed_pmo_address_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_PMO_EMAILS", "pmo@example.com,the pmo desk")
    with pytest.raises(ValueError, match="is not an e-mail address"):
        NotificationsSettings()
