"""Slack and Teams messages of every routable event family, checked against the vendors'
schemas (pmo_stack.testkit.chat_schemas): the headline, the condition in colour and in words,
the links, the limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    AlertEscalated,
    AlertSeverityChanged,
    EarlyWarning,
    EarlyWarningCleared,
    EventPayload,
    GateDecided,
    HealthChanged,
    HealthMetrics,
    Reason,
    RequestEvent,
)
from pmo_notifications.channels.channel import RoutedNotification
from pmo_notifications.channels.chat_channel import chat_refusal, with_links_resolved
from pmo_notifications.channels.chat_summary import ALERT_GROUP
from pmo_notifications.channels.registry import channel_kind
from pmo_notifications.channels.slack_channel import SlackChannel
from pmo_notifications.channels.teams_channel import TeamsChannel
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.alert_group import GroupedAlert, group_data
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.wording import Wording
from pmo_notifications.handlers.wordings import MessageLanguages

PROJECT = "3f2a9c1e-apollo"
ALERT = "9b1d7c2e-alert"
PUBLIC_URL = "https://pmo.example.com/notifications"
SUBJECT = {"project_id": PROJECT, "project_name": "Apollo", "manager": "ada@example.com"}
SLACK_COLOURS = {"good": "#2eb886", "warning": "#daa038", "attention": "#a30200"}
TEAMS_COLOURS = {"good": "Good", "warning": "Warning", "attention": "Attention"}
ENGLISH = MessageLanguages().wording("en")


@dataclass(frozen=True)
class Family:
    """One kind of event, and what its message must say: the headline, the condition in words
    (`label: VALUE`) and its tone."""

    event_type: str
    data: dict[str, Any]
    headline: str
    condition: str | None
    tone: str | None


def data(payload: EventPayload) -> dict[str, Any]:
    return payload.model_dump(mode="json")


def alert(**changes: Any) -> dict[str, Any]:
    """An alert event's data: Apollo's at-risk alert, critical and open, unless `changes` say."""
    fields: dict[str, Any] = {
        "alert_id": ALERT,
        "project_id": PROJECT,
        "kind": "at_risk",
        "severity": "critical",
        "status": "open",
        "title": "Apollo is at risk",
    }
    return fields | changes


def early_warning() -> EarlyWarning:
    return EarlyWarning(
        **SUBJECT,
        code="trend_warning",
        metric="cpi",
        forecast_crossing_date=date(2026, 5, 1),
        message="CPI is falling and will cross 0.90 around 2026-05-01",
        value=0.93,
        threshold=0.9,
        as_of=date(2026, 3, 2),
    )


def health_changed() -> HealthChanged:
    return HealthChanged(
        project_id=PROJECT,
        project_name="Apollo",
        previous_rag="green",
        rag="amber",
        reasons=[Reason(code="cpi_below_threshold", message="CPI 0.93 is below 0.95")],
        metrics=HealthMetrics(cpi=0.93, spi=0.99, bac=1_000_000.0),
        as_of=date(2026, 3, 2),
    )


FAMILIES = [
    Family(
        "project.health_changed",
        data(health_changed()),
        "Apollo is now AMBER",
        "RAG: AMBER",
        "warning",
    ),
    Family(
        "project.early_warning",
        data(early_warning()),
        "Early warning for Apollo: CPI",
        "Status: EARLY WARNING",
        "warning",
    ),
    Family(
        "project.early_warning_cleared",
        data(
            EarlyWarningCleared(
                **SUBJECT, code="trend_warning", metric="cpi", as_of=date(2026, 3, 9)
            )
        ),
        "Early warning cleared for Apollo: CPI",
        "Status: CLEARED",
        "good",
    ),
    Family(
        "alert.raised",
        alert(),
        "Alert raised: Apollo is at risk",
        "Severity: CRITICAL",
        "attention",
    ),
    Family(
        "alert.severity_changed",
        data(AlertSeverityChanged(**alert(severity="warning"), previous_severity="critical")),
        "Alert lowered to WARNING: Apollo is at risk",
        "Severity: WARNING",
        "warning",
    ),
    Family(
        "alert.resolved",
        alert(status="resolved"),
        "Alert resolved: Apollo is at risk",
        "Status: RESOLVED",
        "good",
    ),
    Family(
        "alert.escalated",
        data(AlertEscalated(**alert(), level=2, notified=["grace@example.com"])),
        "Alert escalated to level 2: Apollo is at risk",
        "Severity: CRITICAL",
        "attention",
    ),
    Family(
        "project.gate.decided",
        data(
            GateDecided(
                project_id=PROJECT, gate="design", decision="rejected", decided_by="pmo@example.com"
            )
        ),
        f"Gate design rejected for {PROJECT}",
        "Decision: REJECTED",
        "attention",
    ),
    Family(
        "intake.request.approved",
        data(
            RequestEvent(
                request_id="r1", title="New CRM", requested_by="ada@example.com", status="approved"
            )
        ),
        "Request approved: New CRM",
        "Decision: APPROVED",
        "good",
    ),
]


def families(payloads: Any) -> list[Family]:
    """Every family: those above and those built from the consumed-event payload builders."""
    return [
        Family(
            "project.at_risk",
            data(payloads.at_risk(PROJECT)),
            "Apollo is at risk",
            "RAG: RED",
            "attention",
        ),
        Family(
            "project.recovered",
            data(payloads.recovered(PROJECT)),
            "Apollo has recovered",
            "RAG: AMBER",
            "warning",
        ),
        Family(
            "project.report_overdue",
            data(payloads.overdue(PROJECT, period=3)),
            "Status report overdue for Apollo",
            "Status: OVERDUE",
            "warning",
        ),
        Family(
            "intervention.action_overdue",
            data(payloads.action_overdue(PROJECT)),
            "Recovery action overdue: Hire a second integration team (Apollo)",
            "Status: OVERDUE",
            "warning",
        ),
        # Events without words of their own read by their catalog summary.
        Family(
            "project.created",
            data(payloads.created(PROJECT)),
            "A project entered the registry: Apollo",
            None,
            None,
        ),
        Family(
            "intervention.opened",
            data(payloads.opened(PROJECT)),
            "The PMO opened a case to support a project in difficulty: Apollo",
            None,
            None,
        ),
        *FAMILIES,
    ]


def routed(
    event_type: str, event_data: dict[str, Any], wording: Wording = ENGLISH
) -> RoutedNotification:
    event = CloudEvent(source="/pmo/test", type=event_type, subject=PROJECT, data=event_data)
    email = ComposedEmail("[PMO] s", "b")
    return RoutedNotification(event.to_bytes().decode(), wording, lambda: email)


def sent(kind: Any, event_type: str, event_data: dict[str, Any], public_url: str | None) -> Any:
    """The JSON a chat channel sends for the event: planned, then its links resolved."""
    planned = json.loads(kind.message_for(routed(event_type, event_data)).body)
    return with_links_resolved(planned, public_url)


def slack_fields(message: dict[str, Any]) -> list[str]:
    blocks = message["attachments"][0]["blocks"]
    return [field["text"] for block in blocks for field in block.get("fields", [])]


def slack_block(message: dict[str, Any], block_type: str) -> dict[str, Any] | None:
    blocks = message.get("attachments", [{}])[0].get("blocks", [])
    return next((block for block in blocks if block["type"] == block_type), None)


def card_texts(message: dict[str, Any]) -> list[dict[str, Any]]:
    body = message["attachments"][0]["content"]["body"]
    return [item for item in body if item["type"] == "TextBlock"]


def test_the_registry_knows_slack_and_teams_and_neither_signs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_PUBLIC_URL", f"{PUBLIC_URL}/")
    settings = NotificationsSettings()
    assert settings.public_url == PUBLIC_URL
    for name, kind in (("slack", SlackChannel), ("teams", TeamsChannel)):
        assert channel_kind(name) is kind
        assert not kind.from_settings(settings).signs_messages


@pytest.mark.parametrize("url", ["ftp://pmo.example.com", "pmo.example.com", f"{PUBLIC_URL}?a=b"])
def test_a_public_url_that_is_no_base_url_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match="PMO_NOTIFICATIONS_PUBLIC_URL"):
        NotificationsSettings(public_url=url)


def test_every_event_family_reads_as_a_valid_slack_message(
    notifications_payloads: Any, chat_schemas: Any
) -> None:
    for family in families(notifications_payloads):
        for public_url in (PUBLIC_URL, None):
            message = sent(SlackChannel, family.event_type, family.data, public_url)
            chat_schemas.check_slack(message)
        assert message["blocks"][0]["text"]["text"] == family.headline, family.event_type
        assert message["text"].startswith(family.headline)
        if family.condition is None:
            continue
        # The colour bar, and the condition in words as the first field.
        label, value = family.condition.split(": ")
        assert slack_fields(message)[0] == f"*{label}*\n{value}", family.event_type
        assert message["attachments"][0]["color"] == SLACK_COLOURS[family.tone or ""]
        assert family.condition in message["text"]


def test_every_event_family_reads_as_a_valid_teams_card(
    notifications_payloads: Any, chat_schemas: Any
) -> None:
    for family in families(notifications_payloads):
        for public_url in (PUBLIC_URL, None):
            message = sent(TeamsChannel, family.event_type, family.data, public_url)
            chat_schemas.check_teams(message)
        card = message["attachments"][0]["content"]
        assert card["version"] == "1.5" and card["fallbackText"].startswith(family.headline)
        headline, *rest = card_texts(message)
        assert headline["text"] == family.headline, family.event_type
        if family.condition is None:
            continue
        condition = rest[0]
        assert condition["text"] == family.condition, family.event_type
        assert condition["color"] == TEAMS_COLOURS[family.tone or ""]


def test_reasons_read_as_bullets_and_metrics_as_figures(notifications_payloads: Any) -> None:
    at_risk = data(notifications_payloads.at_risk(PROJECT))
    slack = sent(SlackChannel, "project.at_risk", at_risk, None)
    why = slack["attachments"][0]["blocks"][1]["text"]["text"]
    assert why == "*Why*\n• Cost performance index 0.82 is below the red threshold 0.90"
    assert "*CPI*\n0.82" in slack_fields(slack) and "*EAC*\n1,220,000" in slack_fields(slack)
    teams = sent(TeamsChannel, "project.at_risk", at_risk, None)
    facts = next(
        item for item in teams["attachments"][0]["content"]["body"] if item["type"] == "FactSet"
    )
    assert {"title": "CPI", "value": "0.82"} in facts["facts"]
    assert (
        card_texts(teams)[-1]["text"]
        == "- Cost performance index 0.82 is below the red threshold 0.90"
    )


def test_the_link_leads_back_under_the_public_url_and_is_left_out_without_one(
    notifications_payloads: Any,
) -> None:
    alert_url = f"{PUBLIC_URL}/v1/alerts/{ALERT}"
    project_url = f"{PUBLIC_URL}/v1/alerts?project_id={PROJECT}"
    for event_type, event_data, url in (
        ("alert.raised", alert(), alert_url),
        ("project.at_risk", data(notifications_payloads.at_risk(PROJECT)), project_url),
    ):
        slack = sent(SlackChannel, event_type, event_data, PUBLIC_URL)
        actions = slack_block(slack, "actions")
        assert actions is not None and actions["elements"][0]["url"] == url
        teams = sent(TeamsChannel, event_type, event_data, PUBLIC_URL)
        (action,) = teams["attachments"][0]["content"]["actions"]
        assert (action["type"], action["url"]) == ("Action.OpenUrl", url)

        assert slack_block(sent(SlackChannel, event_type, event_data, None), "actions") is None
        unlinked = sent(TeamsChannel, event_type, event_data, None)
        assert unlinked["attachments"][0]["content"]["actions"] == []


def test_a_group_is_one_message_listing_its_alerts_capped_with_and_n_more(
    chat_schemas: Any,
) -> None:
    # The group as grouping writes it (domain/alert_group.py).
    alerts = [
        GroupedAlert(
            event_id=f"e{n}",
            type="alert.raised",
            time="2026-03-02T09:00:00Z",
            project_id=f"p{n}",
            project_name=f"Project {n}",
            alert_id=f"a{n}",
            severity="critical" if n % 2 else "warning",
            title=f"Project {n} is at risk",
            data=alert(alert_id=f"a{n}"),
        )
        for n in range(40)
    ]
    group = group_data("pf-digital", alerts)
    slack = sent(SlackChannel, ALERT_GROUP, group, PUBLIC_URL)
    chat_schemas.check_slack(slack)
    assert slack["blocks"][0]["text"]["text"] == "40 alerts in portfolio pf-digital"
    assert slack_fields(slack)[:2] == ["*Severity*\nCRITICAL", "*Portfolio*\npf-digital"]
    listed = slack["attachments"][0]["blocks"][1]["text"]["text"].split("\n")
    assert listed[0] == "*Alerts*" and listed[1] == "• CRITICAL: Project 1 is at risk"
    assert len(listed) == 1 + 15 + 1 and listed[-1] == "and 25 more"

    teams = sent(TeamsChannel, ALERT_GROUP, group, PUBLIC_URL)
    chat_schemas.check_teams(teams)
    *_, bullets, more = card_texts(teams)
    assert len(bullets["text"].split("\r")) == 15 and more["text"] == "and 25 more"
    assert teams["attachments"][0]["content"]["actions"][0]["url"].endswith(
        "/v1/alerts?status=open"
    )


def test_long_and_unsafe_text_is_cut_to_the_documented_limits_and_escaped(
    notifications_payloads: Any, chat_schemas: Any
) -> None:
    name = "Apollo <&> " * 40
    reasons = [Reason(code=f"r{n}", message=f"Reason {n} & <more> " + "x" * 900) for n in range(30)]
    at_risk = data(notifications_payloads.at_risk(PROJECT, project_name=name, reasons=reasons))

    slack = sent(SlackChannel, "project.at_risk", at_risk, PUBLIC_URL)
    chat_schemas.check_slack(slack)
    header = slack["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…") and header.startswith("Apollo <&> ")
    why = slack["attachments"][0]["blocks"][1]["text"]["text"]
    assert 2500 < len(why) <= 3000 and why.endswith(" more")
    assert "Reason 0 &amp; &lt;more&gt; " in why

    teams = sent(TeamsChannel, "project.at_risk", at_risk, PUBLIC_URL)
    chat_schemas.check_teams(teams)
    # Teams refuses messages over about 28 KB.
    assert len(json.dumps(teams).encode()) < 28_000
    assert card_texts(teams)[-1]["text"].endswith(" more")


def test_markdown_in_a_project_name_or_reason_shows_as_written_in_teams(
    notifications_payloads: Any, chat_schemas: Any
) -> None:
    # A project named like a link must not become a clickable link in every card about it.
    name = "[Re-authenticate now](https://phish.example)"
    reasons = [
        Reason(code="cpi_below_threshold", message="*Urgent*: see [here](https://x.example)")
    ]
    at_risk = data(notifications_payloads.at_risk(PROJECT, project_name=name, reasons=reasons))

    teams = sent(TeamsChannel, "project.at_risk", at_risk, PUBLIC_URL)
    chat_schemas.check_teams(teams)
    texts = " ".join(block["text"] for block in card_texts(teams))
    assert "\\[Re-authenticate now\\](https://phish.example)" in texts
    assert "[Re-authenticate now](" not in texts.replace("\\[", "").replace("\\]", "")
    assert "\\*Urgent\\*" in texts and "\\[here\\]" in texts


def test_each_chat_webhook_has_its_own_circuit_and_sending_slots() -> None:
    # Slack rate-limits each incoming webhook: one channel's 429s must not stop the others.
    first = "https://hooks.slack.com/services/T1/B1/one"
    second = "https://hooks.slack.com/services/T2/B2/two"
    for kind in (SlackChannel, TeamsChannel):
        assert kind.circuit_key(first) != kind.circuit_key(second)
        assert kind.concurrency_key(first) != kind.concurrency_key(second)


def test_an_event_of_unexpected_shape_still_reads_as_a_valid_message(chat_schemas: Any) -> None:
    odd = {"project_name": ["not", "text"], "rag": 3, "reasons": "none", "metrics": [1], "x": {}}
    for event_type, event_data in (
        ("project.at_risk", odd),
        ("vendor.thing_happened", {}),
        (ALERT_GROUP, odd),
    ):
        chat_schemas.check_slack(sent(SlackChannel, event_type, event_data, PUBLIC_URL))
        chat_schemas.check_teams(sent(TeamsChannel, event_type, event_data, PUBLIC_URL))


@pytest.mark.parametrize(
    ("status", "body", "retryable"),
    [
        (404, "no_service", False),
        (410, "channel_is_archived", False),
        (400, "invalid_payload", False),
        (408, "", True),
        (429, "rate_limited", True),
        (500, "rollup_error", True),
    ],
)
def test_a_chat_refusal_ends_the_delivery_unless_it_may_pass(
    status: int, body: str, retryable: bool
) -> None:
    outcome = chat_refusal(httpx.Response(status, text=body))
    assert (outcome.delivered, outcome.http_status, outcome.retryable) == (False, status, retryable)
    assert outcome.error == f"the receiver answered HTTP {status}" + (f": {body}" if body else "")
