"""The pure rules: signatures, SSRF classification, lifecycle, routing, retries, wording."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pmo_notifications.domain.address_policy import (
    TargetRefused,
    address_refusal,
    first_refusal,
    parse_webhook_url,
)
from pmo_notifications.domain.alert_lifecycle import (
    ACKNOWLEDGED,
    OPEN,
    RESOLVED,
    AlertState,
    AlertTransitionRefused,
    acknowledge,
    resolve,
)
from pmo_notifications.domain.alert_rules import (
    at_risk_title,
    deduplication_key,
    item_key,
    recovery_note,
    should_notify_again,
)
from pmo_notifications.domain.delivery_schedule import may_retry, retry_delay_seconds
from pmo_notifications.domain.email_domain_policy import (
    allowed_domains_phrase,
    email_domain_allowed,
)
from pmo_notifications.domain.health_emails import (
    HealthNotice,
    compose_at_risk_email,
    compose_recovery_email,
)
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.severity import is_at_least, severity_rank
from pmo_notifications.domain.silence_rules import (
    SilenceRecord,
    covering_silence,
    silence_covers,
    silence_violations,
)
from pmo_notifications.domain.subscription_matching import (
    EventFacts,
    RoutingRule,
    event_type_violations,
    subscription_matches,
)
from pmo_notifications.domain.webhook_signature import (
    new_webhook_secret,
    sign_webhook,
    signature_headers,
)
from pmo_notifications.handlers.wordings import MessageLanguages

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENGLISH = MessageLanguages().wording("en")


def test_signature_matches_a_vector_computed_from_the_spec() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    body = b'{"type":"project.at_risk","data":{"rag":"red"}}'
    expected = base64.b64encode(
        hmac.new(key, b"msg_abc.1700000000." + body, hashlib.sha256).digest()
    ).decode()

    assert sign_webhook(secret, "msg_abc", 1700000000, body) == f"v1,{expected}"
    headers = signature_headers(secret, "msg_abc", 1700000000, body)
    assert headers == {
        "webhook-id": "msg_abc",
        "webhook-timestamp": "1700000000",
        "webhook-signature": f"v1,{expected}",
    }


def test_signature_changes_with_any_part_of_the_message() -> None:
    secret = new_webhook_secret()
    base = sign_webhook(secret, "msg_1", 1, b"{}")
    assert sign_webhook(secret, "msg_2", 1, b"{}") != base
    assert sign_webhook(secret, "msg_1", 2, b"{}") != base
    assert sign_webhook(secret, "msg_1", 1, b"{ }") != base
    assert sign_webhook(new_webhook_secret(), "msg_1", 1, b"{}") != base


def test_secret_is_whsec_and_base64_of_32_random_bytes() -> None:
    first, second = new_webhook_secret(), new_webhook_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("10.20.30.40", "private"),
        ("169.254.169.254", "link-local"),
        ("::1", "loopback"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("192.168.1.10", "private"),
        ("100.64.0.1", "shared"),
        ("fe80::1%eth0", "link-local"),
        ("2002:7f00:1::", "loopback"),
    ],
)
def test_non_public_addresses_are_refused(address: str, category: str) -> None:
    reason = address_refusal(address)
    assert reason is not None
    assert category in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    assert first_refusal(["8.8.8.8", "10.0.0.1"]) == "10.0.0.1 is a private address"
    assert first_refusal(["8.8.8.8", "1.1.1.1"]) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "only http:// and https://"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("https:///hook", "no host"),
        ("https://example.com:99999/", "port"),
        ("https://exa mple.com/", "spaces"),
    ],
)
def test_malformed_or_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        parse_webhook_url(url)
    assert reason in refused.value.reason


def test_a_vetted_url_is_reached_through_its_address_with_the_original_host() -> None:
    target = parse_webhook_url("https://Hooks.Example.com/in?x=1")
    assert target.host_header == "hooks.example.com"
    assert target.url_via("93.184.215.14") == "https://93.184.215.14:443/in?x=1"
    assert parse_webhook_url("http://[2606:4700::1]:8080/").url_via("2606:4700::1") == (
        "http://[2606:4700::1]:8080/"
    )


def test_alert_lifecycle_is_idempotent_and_refuses_acknowledging_a_resolved_alert() -> None:
    opened = AlertState(status=OPEN)
    acked = acknowledge(opened, actor="ada@example.com", at=NOW)
    assert acked.changed and acked.state.status == ACKNOWLEDGED
    assert acked.state.acknowledged_by == "ada@example.com"
    again = acknowledge(acked.state, actor="bob@example.com", at=NOW)
    assert not again.changed and again.state.acknowledged_by == "ada@example.com"

    done = resolve(acked.state, actor="system", at=NOW, note="fixed")
    assert done.changed and done.state.status == RESOLVED and done.state.resolution_note == "fixed"
    assert not resolve(done.state, actor="x", at=NOW, note="again").changed
    with pytest.raises(AlertTransitionRefused):
        acknowledge(done.state, actor="ada@example.com", at=NOW)


def test_alert_wording_and_keys() -> None:
    assert at_risk_title("Apollo", "red") == "Project Apollo is at risk (red)"
    assert recovery_note("amber") == "Project recovered to amber"
    assert deduplication_key("at_risk") == "at_risk"
    # One open alert per project and kind: a missed period is an item of it, not a key.
    assert deduplication_key("report_overdue") == "report_overdue"
    assert item_key("report_overdue", 4) == "report_overdue:4"
    with pytest.raises(ValueError):
        deduplication_key("overdue")
    assert should_notify_again("warning", "critical")
    assert not should_notify_again("critical", "critical")


def test_severity_order() -> None:
    assert severity_rank("info") < severity_rank("warning") < severity_rank("critical")
    assert is_at_least("critical", "warning") and not is_at_least("info", "warning")
    with pytest.raises(ValueError):
        severity_rank("fatal")


def test_backoff_grows_up_to_a_ceiling_and_stops_at_max_attempts() -> None:
    delays = [retry_delay_seconds(n, base_seconds=1.0) for n in range(1, 5)]
    assert delays == [5.0, 30.0, 120.0, 600.0]
    assert retry_delay_seconds(100, base_seconds=1.0) == 3600.0
    assert may_retry(4, max_attempts=5) and not may_retry(5, max_attempts=5)
    assert not may_retry(1, max_attempts=5, retryable=False)


def test_subscription_matching_checks_type_scope_and_severity() -> None:
    rule = RoutingRule(
        event_types=frozenset({"project.at_risk"}), portfolio_id="pf-1", min_severity="warning"
    )
    facts = EventFacts("project.at_risk", "p-1", "pf-1", "critical")
    assert subscription_matches(rule, facts)
    assert not subscription_matches(
        rule, EventFacts("project.recovered", "p-1", "pf-1", "critical")
    )
    assert not subscription_matches(rule, EventFacts("project.at_risk", "p-1", "pf-2", "critical"))
    assert not subscription_matches(rule, EventFacts("project.at_risk", "p-1", "pf-1", "info"))
    pinned = RoutingRule(event_types=frozenset({"alert.raised"}), project_id="p-9")
    assert not subscription_matches(pinned, EventFacts("alert.raised", "p-1", None, "info"))


def test_event_types_must_be_in_the_catalog_and_routable() -> None:
    catalog = {"project.at_risk", "notification.failed", "project.status_reported"}
    violations = event_type_violations(
        ["project.at_risk", "nope", "notification.failed", "project.status_reported"], catalog
    )
    assert [v.field for v in violations] == ["event_types.1", "event_types.2", "event_types.3"]
    assert "not an event type" in violations[0].reason
    assert event_type_violations([], catalog)[0].field == "event_types"


def test_silence_scope_and_window() -> None:
    silence = SilenceRecord(
        "s1", None, "pf-1", "freeze", NOW, NOW + timedelta(hours=1), "pmo@example.com", NOW
    )
    assert covering_silence([silence], project_id="p", portfolio_id="pf-1", at=NOW) == silence
    assert covering_silence([silence], project_id="p", portfolio_id="pf-2", at=NOW) is None
    late = NOW + timedelta(hours=2)
    assert covering_silence([silence], project_id="p", portfolio_id="pf-1", at=late) is None
    problems = silence_violations(
        project_id=None,
        portfolio_id=None,
        starts_at=NOW,
        ends_at=NOW - timedelta(minutes=1),
        now=NOW,
        may_silence_everything=False,
    )
    assert {p.field for p in problems} == {"project_id", "ends_at"}


def test_at_risk_email_names_project_rag_reasons_metrics_and_next_steps() -> None:
    email = compose_at_risk_email(
        ENGLISH,
        HealthNotice(
            project_name="Apollo",
            rag="red",
            as_of=date(2026, 3, 2),
            severity="critical",
            reasons=[
                ReasonLine("cpi_low", "Cost performance index 0.82 is below 0.90", "cpi", 0.82, 0.9)
            ],
            metrics={"cpi": 0.82, "eac": 1_220_000.0, "spi": None},
            sponsor="grace@example.com",
            alert_id="a-1",
        ),
    )
    assert email.subject == "[PMO] Project Apollo is at risk (red)"
    assert "Project Apollo is now RED" in email.body
    assert "Cost performance index 0.82 is below 0.90" in email.body
    assert "Cost performance index (CPI): 0.82" in email.body
    assert "Estimate at completion (EAC): 1,220,000" in email.body
    assert "Schedule performance index" not in email.body
    assert "What to do next" in email.body and "grace@example.com" in email.body


def test_recovery_email_says_the_project_has_recovered() -> None:
    email = compose_recovery_email(
        ENGLISH,
        HealthNotice(
            project_name="Apollo", rag="amber", previous_rag="red", as_of=date(2026, 3, 9)
        ),
    )
    assert "has recovered" in email.subject
    assert "AMBER (it was red)" in email.body


def test_email_domains_match_label_by_label_and_subdomains_only_with_a_wildcard() -> None:
    allowed = ("example.com", "*.corp.example.org")
    assert email_domain_allowed("anything.net", ())
    assert email_domain_allowed("example.com", allowed)
    assert email_domain_allowed("EXAMPLE.com.", allowed)
    assert not email_domain_allowed("eu.example.com", allowed)
    assert not email_domain_allowed("notexample.com", allowed)
    assert not email_domain_allowed("example.com.evil.net", allowed)
    assert email_domain_allowed("eu.corp.example.org", allowed)
    assert email_domain_allowed("a.b.corp.example.org", allowed)
    assert not email_domain_allowed("corp.example.org", allowed)
    assert not email_domain_allowed("evilcorp.example.org", allowed)
    assert allowed_domains_phrase(allowed) == "example.com or *.corp.example.org"
    assert allowed_domains_phrase(("a.com", "b.com", "c.com")) == "a.com, b.com or c.com"


def test_silence_instants_are_held_in_utc_whatever_offset_they_were_given_in() -> None:
    plus_five = timezone(timedelta(hours=5))
    ends = (NOW + timedelta(minutes=1)).astimezone(plus_five)
    silence = SilenceRecord("s1", "p-1", None, "migration", NOW, ends, "pm@example.com", NOW)
    assert silence.ends_at == ends and silence.ends_at.utcoffset() == timedelta(0)
    assert silence_covers(silence, project_id="p-1", portfolio_id=None, at=NOW)
    later = NOW + timedelta(minutes=2)
    assert not silence_covers(silence, project_id="p-1", portfolio_id=None, at=later)
