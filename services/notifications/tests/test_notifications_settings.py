"""The settings read the environment variable names the contract fixes."""

from __future__ import annotations

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
    "PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS": " Example.com, *.corp.example.org.,,example.com",
}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    settings = NotificationsSettings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_from) == (
        "127.0.0.1",
        8025,
        "pmo@localhost",
    )
    assert settings.smtp_starttls is False and settings.smtp_username is None
    assert settings.webhook_allow_private is False
    assert settings.delivery_max_attempts == 5
    assert settings.delivery_backoff_seconds == 1.0
    assert settings.webhook_timeout_seconds == 5
    assert settings.delivery_give_up_after_seconds == 86400
    assert settings.webhook_max_concurrency_per_host == 2
    assert settings.allowed_email_domains == ()


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    settings = NotificationsSettings()
    assert settings.database_url == "sqlite+aiosqlite:////tmp/n.db"
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example.com", 2525)
    assert settings.smtp_from == "pmo@example.com" and settings.smtp_username == "pmo"
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "s3cret"
    assert settings.smtp_starttls is True
    assert settings.webhook_allow_private is True
    assert settings.delivery_max_attempts == 7
    assert settings.delivery_backoff_seconds == 0.5
    assert settings.webhook_timeout_seconds == 3
    assert settings.delivery_give_up_after_seconds == 3600
    assert settings.webhook_max_concurrency_per_host == 4
    assert settings.allowed_email_domains == ("example.com", "*.corp.example.org")


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
def test_the_claim_lease_always_outlasts_a_webhook_request(
    monkeypatch: pytest.MonkeyPatch, timeout: str
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", timeout)
    settings = NotificationsSettings()
    assert settings.delivery_claim_lease_seconds >= 30
    assert settings.delivery_claim_lease_seconds >= 3 * settings.webhook_timeout_seconds
