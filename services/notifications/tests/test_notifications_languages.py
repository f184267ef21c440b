"""Messages in the reader's language, through the app: a subscription's `locale` (e-mail, Slack,
Teams), PMO_DEFAULT_LOCALE for people without a subscription, the reasons as monitoring worded
them in that language, money and dates as the language writes them, the glossary link, and the
digest preview in a language. E-mails go through the real SMTP sink, chat messages to a real
HTTP receiver on loopback, held to the vendors' schemas."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, cast

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import EarlyWarning, Reason
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.delivery_grouping import GroupableSubscription
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.wording import Wording
from pmo_notifications.handlers.notification_routing import DirectEmail, EventToRoute, Notifier
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import WebhookReceiver
from sqlalchemy.ext.asyncio import AsyncSession

MANAGER = "ada@example.com"
LEA = "lea@example.com"
DASHBOARD = "https://pmo.example.com/monitoring"
# French typography: no-break spaces and the typographic apostrophe.
NBSP, NNBSP, APOS = "\u00a0", "\u202f", "\u2019"
# Monitoring's reason, worded in both languages (Reason.messages).
CPI_EN = "Cost performance index 0.82 is below the red threshold 0.90"
CPI_FR = f"L{APOS}indice de performance des coûts 0,82 est sous le seuil rouge 0,90"


def cpi_in_both() -> Reason:
    return Reason(
        code="cpi_below_threshold",
        message=CPI_EN,
        messages={"en": CPI_EN, "fr": CPI_FR},
        metric="cpi",
        value=0.82,
        threshold=0.9,
    )


def addressed_to(reader: str) -> Callable[[EmailMessage], bool]:
    return lambda message: bool(message["To"] == reader)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def post_subscription(
    notifications: Any,
    channel: str,
    target: str,
    *,
    event_type: str = "project.at_risk",
    project_id: str | None = None,
    locale: str | None = None,
) -> Any:
    """A PMO admin's request to subscribe `target` to `event_type` (of one project if given);
    the answer."""
    fields: dict[str, Any] = {"channel": channel, "target": target, "event_types": [event_type]}
    if project_id is not None:
        fields["project_id"] = project_id
    if locale is not None:
        fields["locale"] = locale
    return await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=fields
    )


async def subscribe(
    notifications: Any,
    channel: str,
    target: str,
    project_id: str,
    locale: str | None = None,
    *,
    event_type: str = "project.at_risk",
) -> dict[str, Any]:
    """A PMO admin's subscription of `target` to the project's `event_type`."""
    answer = await post_subscription(
        notifications, channel, target, event_type=event_type, project_id=project_id, locale=locale
    )
    assert answer.status_code == 201, answer.text
    subscription: dict[str, Any] = answer.json()
    return subscription


async def at_risk_with_euros(notifications: Any, payloads: Any) -> str:
    """Apollo registered in euros, then at risk on its CPI (worded in both languages)."""
    project_id = str(uuid.uuid4())
    await notifications.apply("project.created", payloads.created(project_id, currency="EUR"))
    await notifications.apply(
        "project.at_risk", payloads.at_risk(project_id, reasons=[cpi_in_both()])
    )
    return project_id


async def test_a_french_subscriber_reads_french_while_the_manager_reads_the_default_english(
    notifications: Any, smtp_sink: SmtpSink, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    french = await subscribe(notifications, "email", LEA, project_id, locale="fr")
    english = await subscribe(notifications, "email", "bob@example.com", project_id)
    assert (french["locale"], english["locale"]) == ("fr", None)
    listed = await notifications.client.get(
        f"/v1/subscriptions/{french['id']}", headers=notifications.auth()
    )
    assert listed.json()["locale"] == "fr"
    await notifications.apply("project.created", notifications_payloads.created(project_id))
    await notifications.apply(
        "project.at_risk", notifications_payloads.at_risk(project_id, reasons=[cpi_in_both()])
    )

    lea = await smtp_sink.wait_for(lambda m: m["To"] == LEA)
    assert lea["Subject"] == "[PMO] Le projet Apollo est en danger (rouge)"
    text = body_of(lea)
    assert text.startswith("Bonjour,")
    assert "Le projet Apollo est désormais ROUGE (critique) au 2 mars 2026." in text
    assert CPI_FR in text and CPI_EN not in text
    assert f"Pourquoi il est en danger{NBSP}:" in text
    # Money in the project's currency (from intake's registry), as French writes it.
    assert f"Estimation à l{APOS}achèvement (EAC){NBSP}: 1{NNBSP}220{NNBSP}000,00{NBSP}€" in text
    assert "Indice de performance des coûts (CPI)" in text and "0,82" in text

    for reader in (MANAGER, "bob@example.com"):
        mail = await smtp_sink.wait_for(addressed_to(reader))
        assert mail["Subject"] == "[PMO] Project Apollo is at risk (red)"
        said = body_of(mail)
        assert "Project Apollo is now RED (critical) as of Mar 2, 2026." in said
        assert CPI_EN in said and "Estimate at completion (EAC): €1,220,000.00" in said
        # No dashboard configured: no glossary link.
        assert "other terms mean" not in said


async def test_pmo_default_locale_words_the_messages_of_people_without_a_subscription(
    run_notifications: Any, smtp_sink: SmtpSink, notifications_payloads: Any
) -> None:
    async with run_notifications(default_locale="fr", dashboard_url=DASHBOARD) as notifications:
        project_id = str(uuid.uuid4())
        await subscribe(notifications, "email", "bob@example.com", project_id, locale="en")
        await at_risk_with_euros(notifications, notifications_payloads)
        await notifications.apply(
            "project.report_overdue", notifications_payloads.overdue(project_id, period=3)
        )

        at_risk = await smtp_sink.wait_for(
            lambda m: m["To"] == MANAGER and "danger" in str(m["Subject"])
        )
        text = body_of(at_risk)
        assert "Que faire maintenant" in text and CPI_FR in text
        glossary = f"{DASHBOARD}/ui/glossary"
        assert f"Ce que signifient CPI, SPI, EAC et les autres termes{NBSP}: {glossary}" in text
        overdue = await smtp_sink.wait_for(
            lambda m: m["To"] == MANAGER and "Rapport" in str(m["Subject"])
        )
        assert (
            overdue["Subject"] == f"[PMO] Rapport d{APOS}avancement en retard pour le projet Apollo"
        )
        assert "était attendu le 15 févr. 2026 et a 3 jours de retard" in body_of(overdue)
        # A subscription that says English stays English whatever the default.
        await notifications.apply(
            "project.at_risk", notifications_payloads.at_risk(project_id, reasons=[cpi_in_both()])
        )
        bob = await smtp_sink.wait_for(lambda m: m["To"] == "bob@example.com")
        assert bob["Subject"] == "[PMO] Project Apollo is at risk (red)"
        assert f"What CPI, SPI, EAC and the other terms mean: {glossary}" in body_of(bob)


async def test_a_french_slack_and_teams_subscriber_each_receive_a_french_valid_message(
    run_notifications: Any,
    webhook_receiver: WebhookReceiver,
    notifications_payloads: Any,
    chat_schemas: Any,
) -> None:
    project_id = str(uuid.uuid4())
    webhook_receiver.status = 200
    with WebhookReceiver("127.0.0.1", 0, status=202) as teams_receiver:
        async with run_notifications() as notifications:
            slack_url = f"{webhook_receiver.url}/services/T000/B000/XXXX"
            await subscribe(notifications, "slack", slack_url, project_id, locale="fr")
            await subscribe(notifications, "teams", f"{teams_receiver.url}/flow", project_id, "fr")
            await notifications.apply(
                "project.at_risk",
                notifications_payloads.at_risk(project_id, reasons=[cpi_in_both()]),
            )

            async def both() -> tuple[Any, Any] | None:
                if webhook_receiver.requests and teams_receiver.requests:
                    return webhook_receiver.requests[0], teams_receiver.requests[0]
                return None

            slack_request, teams_request = await eventually(both, what="both chat messages")
    slack = json.loads(slack_request.body)
    chat_schemas.check_slack(slack)
    assert slack["blocks"][0]["text"]["text"] == "Apollo est en danger"
    fields = [
        f["text"] for block in slack["attachments"][0]["blocks"] for f in block.get("fields", [])
    ]
    assert fields[0] == "*RAG*\nROUGE" and "*Gravité*\nCRITIQUE" in fields
    assert "*CPI*\n0,82" in fields
    why = slack["attachments"][0]["blocks"][1]["text"]["text"]
    assert why == f"*Pourquoi*\n• {CPI_FR}"
    assert slack["text"] == f"Apollo est en danger (RAG{NBSP}: ROUGE)"

    teams = json.loads(teams_request.body)
    chat_schemas.check_teams(teams)
    body = teams["attachments"][0]["content"]["body"]
    texts = [item["text"] for item in body if item["type"] == "TextBlock"]
    assert texts[:2] == ["Apollo est en danger", f"RAG{NBSP}: ROUGE"]
    assert f"- {CPI_FR}" in texts
    facts = next(item for item in body if item["type"] == "FactSet")["facts"]
    assert {"title": "Au", "value": "2 mars 2026"} in facts


async def test_the_digest_preview_is_in_the_language_asked_else_the_default(
    notifications: Any,
) -> None:
    url = "/v1/digests/preview"
    params = {"recipient": MANAGER, "period": "daily"}
    headers = notifications.auth("project_manager", MANAGER)
    english = (await notifications.client.get(url, headers=headers, params=params)).json()
    assert english["locale"] == "en" and "Daily digest" in english["subject"]
    answer = await notifications.client.get(url, headers=headers, params=params | {"locale": "fr"})
    assert answer.status_code == 200, answer.text
    french = answer.json()
    assert french["locale"] == "fr"
    assert french["subject"].startswith(f"[PMO] Résumé quotidien {french['period_key']}{NBSP}:")
    assert french["text"].startswith("Bonjour,") and '<html lang="fr">' in french["html"]
    refused = await notifications.client.get(url, headers=headers, params=params | {"locale": "de"})
    assert refused.status_code == 422
    assert "query.locale" in [error["field"] for error in refused.json()["errors"]]


async def test_a_subscription_in_a_language_without_catalog_is_refused_naming_locale(
    notifications: Any,
) -> None:
    answer = await post_subscription(notifications, "email", LEA, locale="de")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in answer.json()["errors"]] == ["body.locale"]


def test_pmo_default_locale_is_read_without_a_service_prefix_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert NotificationsSettings().default_locale == "en"
    monkeypatch.setenv("PMO_DEFAULT_LOCALE", " FR ")
    monkeypatch.setenv("PMO_NOTIFICATIONS_DASHBOARD_URL", f"{DASHBOARD}/")
    settings = NotificationsSettings()
    assert (settings.default_locale, settings.dashboard_url) == ("fr", DASHBOARD)
    monkeypatch.setenv("PMO_DEFAULT_LOCALE", "de")
    with pytest.raises(ValueError, match="PMO_DEFAULT_LOCALE"):
        NotificationsSettings()
    monkeypatch.delenv("PMO_DEFAULT_LOCALE")
    monkeypatch.setenv("PMO_NOTIFICATIONS_DASHBOARD_URL", "monitoring.example.com")
    with pytest.raises(ValueError, match="PMO_NOTIFICATIONS_DASHBOARD_URL"):
        NotificationsSettings()


def test_an_event_s_e_mail_is_composed_once_per_language_whoever_reads_it() -> None:
    """Routing alone (no database: nothing is flushed): three e-mail subscribers in two
    languages, a webhook and the manager; the e-mail is composed for French and English once
    each, and each reader gets theirs."""
    composed: list[str] = []

    def draft(wording: Wording) -> ComposedEmail:
        composed.append(wording.locale)
        return ComposedEmail(wording._("Hello,"), "body")

    def subscription(target: str, channel: str = "email", locale: str | None = None) -> Any:
        return GroupableSubscription(
            id=target,
            owner="pmo@example.com",
            owner_email=None,
            channel=channel,
            target=target,
            event_types=("project.at_risk",),
            project_id=None,
            portfolio_id=None,
            min_severity="info",
            secret="whsec_x" if channel == "webhook" else None,
            created_at=datetime.now(UTC),
            locale=locale,
        )

    readers = [
        subscription(LEA, locale="fr"),
        subscription("luc@example.com", locale="fr"),
        subscription("bob@example.com"),
        subscription("https://hooks.example.com/pmo", channel="webhook", locale="fr"),
    ]
    notifier = Notifier(cast(AsyncSession, None), "p", datetime.now(UTC), [], readers)
    event = CloudEvent(source="/pmo/test", type="project.at_risk", subject="p", data={})
    notifier.route(
        EventToRoute(event, None, "critical", None, draft), direct=[DirectEmail(MANAGER, draft)]
    )
    assert sorted(composed) == ["en", "fr"]
    subjects = {delivery.target: delivery.subject for delivery in notifier.planned}
    assert subjects == {
        MANAGER: "Hello,",
        LEA: "Bonjour,",
        "luc@example.com": "Bonjour,",
        "bob@example.com": "Hello,",
        "https://hooks.example.com/pmo": None,
    }


async def test_an_early_warning_reaches_a_french_subscriber_in_monitoring_s_french(
    notifications: Any, smtp_sink: SmtpSink
) -> None:
    project_id = str(uuid.uuid4())
    await subscribe(
        notifications, "email", LEA, project_id, "fr", event_type="project.early_warning"
    )
    english = "At this trend CPI falls below 0.90 in about 6 weeks."
    french = f"À cette tendance, le CPI passe sous 0,90 dans environ 6{NBSP}semaines."
    warning = EarlyWarning(
        project_id=project_id,
        project_name="Apollo",
        manager=MANAGER,
        code="trend_warning",
        metric="cpi",
        message=english,
        messages={"en": english, "fr": french},
        as_of=datetime(2026, 3, 2, tzinfo=UTC).date(),
    )
    await notifications.apply("project.early_warning", warning, subject=project_id)

    lea = await smtp_sink.wait_for(addressed_to(LEA))
    text = body_of(lea)
    assert french in text and english not in text
