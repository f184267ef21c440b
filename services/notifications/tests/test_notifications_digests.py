"""Digests through the app: GET /v1/digests/preview (a reader's digest as it would go out now,
listing exactly their projects; PMO admins preview anyone's, everyone else only their own), and
the digest job sending each due digest once, as text with an HTML alternative, through the real
SMTP sink.

The world, told to notifications through the events it consumes: Ada manages Apollo (turned
amber, then red) and Zephyr (its status report overdue), both in the Orion portfolio that Pat
manages, and used to manage Old (closed). Bob manages Hermes (green, in Orion too); Carl manages
Sponsored, which Ada only sponsors. Apollo has an open recovery action due in three days and one
already done.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pmo_common.events.payloads import (
    ActionAdded,
    ActionDone,
    HealthChanged,
    HealthMetrics,
    PortfolioEvent,
    ProjectClosed,
    Reason,
    ReportOverdue,
)
from pmo_notifications.db.tables import digests_sent
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.digest_periods import WEEKLY, DigestSchedule, period_key
from pmo_notifications.handlers.digest_job import digest_schedule, send_due_digests
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually
from sqlalchemy import select

ADA = "ada@example.com"
BOB = "bob@example.com"
CARL = "carl@example.com"
PAT = "pat@example.com"
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class World:
    """The projects' ids by name, and the portfolio's."""

    ids: dict[str, str]
    portfolio_id: str

    def named(self, *names: str) -> set[str]:
        """The ids of these projects."""
        return {self.ids[name] for name in names}


def _health(
    project_id: str, name: str, previous: str | None, rag: str, version: int, **metrics: float
) -> HealthChanged:
    reasons = [] if rag == "green" else [Reason(code="cpi_below_threshold", message="CPI low")]
    return HealthChanged(
        project_id=project_id,
        project_name=name,
        previous_rag=previous,
        rag=rag,
        reasons=reasons,
        metrics=HealthMetrics(**metrics),
        as_of=TODAY,
        health_version=version,
    )


async def tell_the_world(notifications: Any, payloads: Any) -> World:
    """Apply every event of the world through the app's idempotent applier (`payloads`: the
    builders of consumed events)."""

    def created(name: str, manager: str, **changes: Any) -> Any:
        fields = {"name": name, "manager": manager, "sponsor": None} | changes
        return payloads.created(ids[name], **fields)

    ids = {name: str(uuid.uuid4()) for name in ("Apollo", "Zephyr", "Old", "Hermes", "Sponsored")}
    orion = f"pf-{uuid.uuid4().hex[:8]}"
    apply = notifications.apply
    await apply(
        "intake.portfolio.created", PortfolioEvent(portfolio_id=orion, name="Orion", owner=PAT)
    )
    await apply("project.created", created("Apollo", ADA, portfolio_id=orion))
    await apply("project.created", created("Zephyr", ADA, portfolio_id=orion))
    await apply("project.created", created("Old", ADA, portfolio_id=orion))
    await apply("project.created", created("Hermes", BOB, portfolio_id=orion))
    await apply("project.created", created("Sponsored", CARL, sponsor=ADA))
    closed = ProjectClosed(
        project_id=ids["Old"], name="Old", closed_at=datetime.now(UTC), version=2
    )
    await apply("project.closed", closed)
    apollo = ids["Apollo"]
    figures = {"ev": 400.0, "pv": 500.0, "ac": 500.0, "bac": 1000.0, "eac": 1250.0}
    await apply("project.health_changed", _health(apollo, "Apollo", None, "amber", 1, **figures))
    await apply("project.health_changed", _health(apollo, "Apollo", "amber", "red", 2, **figures))
    green = {"ev": 100.0, "pv": 100.0, "ac": 100.0, "bac": 1000.0}
    await apply(
        "project.health_changed", _health(ids["Hermes"], "Hermes", None, "green", 1, **green)
    )
    overdue = ReportOverdue(
        project_id=ids["Zephyr"],
        project_name="Zephyr",
        manager=ADA,
        last_report_at=None,
        due_date=TODAY - timedelta(days=3),
        days_overdue=3,
        period=1,
    )
    await apply("project.report_overdue", overdue)
    case = {"project_id": apollo, "project_name": "Apollo", "manager": ADA}
    case |= {"intervention_id": f"iv-{apollo}"}
    for action_id, title, due in (
        (f"a1-{apollo}", "Re-plan the integration", TODAY + timedelta(days=3)),
        (f"a2-{apollo}", "Already done", TODAY - timedelta(days=1)),
    ):
        added = ActionAdded(
            **case, action_id=action_id, title=title, action_owner=CARL, due_date=due
        )
        await apply("intervention.action_added", added)
    done = ActionDone(**case, action_id=f"a2-{apollo}", done_at=datetime.now(UTC))
    await apply("intervention.action_done", done)
    return World(ids, orion)


PREVIEW = "/v1/digests/preview"


@pytest.fixture
async def notifications(run_notifications: Any) -> AsyncIterator[Any]:
    """The app with its digest job off: only the tests' own passes send digests, so a pass of
    the job cannot claim a digest while the world is still being told."""
    async with run_notifications(digest_check_seconds=0) as harness:
        yield harness


async def preview(
    notifications: Any, params: dict[str, str], role: str = "project_manager", email: str = ADA
) -> Any:
    headers = notifications.auth(role, email)
    return await notifications.client.get(PREVIEW, headers=headers, params=params)


async def test_a_managers_daily_digest_lists_exactly_their_active_projects(
    notifications: Any,
    notifications_payloads: Any,
) -> None:
    world: World = await tell_the_world(notifications, notifications_payloads)
    answer = await preview(notifications, {"recipient": ADA, "period": "daily"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    content = body["content"]
    # Not Bob's Hermes, not Sponsored (Ada only sponsors it), not Old (closed).
    assert {p["project_id"] for p in content["projects"]} == world.named("Apollo", "Zephyr")
    apollo = next(p for p in content["projects"] if p["name"] == "Apollo")
    assert apollo["rag"] == "red"
    assert [(c["previous_rag"], c["rag"]) for c in apollo["changes"]] == [
        (None, "amber"),
        ("amber", "red"),
    ]
    assert [a["kind"] for a in content["alerts"]] == ["at_risk"]
    assert [r["project_name"] for r in content["overdue_reports"]] == ["Zephyr"]
    assert [a["title"] for a in content["actions"]] == ["Re-plan the integration"]
    assert body["would_send"] is True
    assert (body["recipient"], body["period"]) == (ADA, "daily")
    assert body["subject"].startswith("[PMO] Daily digest ")
    assert "  - Apollo: RED; UNKNOWN to AMBER on " in body["text"]
    assert ">RED</td>" in body["html"] and "Hermes" not in body["html"]


async def test_a_portfolio_managers_weekly_digest_rolls_up_their_portfolio(
    notifications: Any,
    notifications_payloads: Any,
) -> None:
    world: World = await tell_the_world(notifications, notifications_payloads)
    answer = await preview(notifications, {"recipient": PAT, "period": "weekly"}, email=PAT)
    assert answer.status_code == 200, answer.text
    content = answer.json()["content"]
    assert {p["project_id"] for p in content["projects"]} == world.named(
        "Apollo", "Zephyr", "Hermes"
    )
    [orion] = content["portfolios"]
    assert (orion["portfolio_id"], orion["name"], orion["project_count"]) == (
        world.portfolio_id,
        "Orion",
        3,
    )
    assert orion["colours"] == {"red": 1, "amber": 0, "green": 1, "unknown": 1}
    figures = orion["figures"]
    assert (figures["ev"], figures["ac"], figures["cpi"]) == (500, 600, 500 / 600)
    assert [(s["project_name"], s["from_rag"], s["to_rag"]) for s in orion["colour_changes"]] == [
        ("Apollo", None, "red"),
        ("Hermes", None, "green"),
    ]
    assert orion["top_reasons"] == [{"code": "cpi_below_threshold", "count": 1}]
    assert "Orion" in answer.json()["subject"]


async def test_a_pmo_admin_previews_anyones_digest(
    notifications: Any, notifications_payloads: Any
) -> None:
    world: World = await tell_the_world(notifications, notifications_payloads)
    answer = await preview(
        notifications, {"recipient": "Ada@Example.com", "period": "daily"}, "pmo_admin", "x@y.org"
    )
    assert answer.status_code == 200, answer.text
    projects = answer.json()["content"]["projects"]
    assert {p["project_id"] for p in projects} == world.named("Apollo", "Zephyr")


@pytest.mark.parametrize(
    ("role", "email"),
    [("project_manager", BOB), ("portfolio_manager", PAT), ("viewer", CARL), ("service", CARL)],
)
async def test_anyone_else_previewing_someone_elses_digest_is_refused(
    notifications: Any, role: str, email: str
) -> None:
    answer = await preview(notifications, {"recipient": ADA, "period": "daily"}, role, email)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "only your own digest" in answer.json()["detail"]


async def test_a_digest_with_nothing_to_report_previews_as_not_sent(notifications: Any) -> None:
    answer = await preview(notifications, {"recipient": BOB, "period": "daily"}, email=BOB)
    assert answer.status_code == 200, answer.text
    assert answer.json()["would_send"] is False
    assert answer.json()["content"]["projects"] == []


async def test_the_preview_needs_a_token(notifications: Any) -> None:
    answer = await notifications.client.get(PREVIEW, params={"recipient": ADA, "period": "daily"})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "daily"}, "query.recipient"),
        ({"recipient": "not-an-address", "period": "daily"}, "query.recipient"),
        ({"recipient": ADA}, "query.period"),
        ({"recipient": ADA, "period": "monthly"}, "query.period"),
        ({"recipient": ADA, "period": "daily", "colour": "red"}, "query.colour"),
    ],
)
async def test_bad_parameters_are_a_problem_naming_the_field(
    notifications: Any, params: dict[str, str], field: str
) -> None:
    answer = await preview(notifications, params, "pmo_admin", "pmo@example.com")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in answer.json()["errors"]]


def digest_mails(smtp_sink: SmtpSink, kind: str) -> list[EmailMessage]:
    """The digests of a kind (`Daily`, `Weekly`) the SMTP sink received."""
    return [m for m in smtp_sink.messages if f"] {kind} digest " in str(m["Subject"])]


async def delivered_all(notifications: Any) -> bool:
    """Whether no delivery is waiting any more."""
    answer = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth(), params={"status": "pending"}
    )
    return bool(answer.json()["items"] == [])


async def claims(notifications: Any, period: str) -> dict[str, bool]:
    """The claimed digests of a period: recipient -> nothing to report."""
    table = digests_sent.c
    query = select(table.recipient, table.nothing_to_report).where(table.period == period)
    async with notifications.runtime.sessions() as session:
        return {row.recipient: row.nothing_to_report for row in await session.execute(query)}


async def test_the_job_sends_each_due_daily_digest_once_as_text_and_html(
    run_notifications: Any, notifications_payloads: Any, smtp_sink: SmtpSink
) -> None:
    # The world is told with the job off; then the app runs with it checking every 0.2 s and
    # the digest hour at 0 UTC (so today's digest is due whenever the test runs).
    async with run_notifications(digest_check_seconds=0) as notifications:
        await tell_the_world(notifications, notifications_payloads)
    async with run_notifications(digest_hour=0, digest_check_seconds=0.2) as notifications:
        mail = await smtp_sink.wait_for(
            lambda m: m["To"] == ADA and "Daily digest" in str(m["Subject"])
        )
        assert mail.get_content_type() == "multipart/alternative"
        plain, html = mail.iter_parts()
        assert plain.get_content_type() == "text/plain"
        assert html.get_content_type() == "text/html"
        assert "  - Apollo: RED; UNKNOWN to AMBER on " in plain.get_content()
        assert "Re-plan the integration" in plain.get_content()
        assert '<td bgcolor="#c5221f"' in html.get_content()

        # Carl's only project has no health yet and nothing waits for him: claimed, not sent.
        async def all_claimed() -> dict[str, bool] | None:
            found = await claims(notifications, "daily")
            return found if len(found) == 3 else None

        claimed = await eventually(all_claimed, what="every manager's digest claimed")
        assert claimed == {ADA: False, BOB: False, CARL: True}
        # Another pass, as another replica's, finds every digest of the day claimed.
        schedule = digest_schedule(notifications.runtime.settings)
        assert (
            await send_due_digests(notifications.runtime.sessions, now=utc_now(), schedule=schedule)
            == 0
        )
        await smtp_sink.wait_for(lambda m: m["To"] == BOB and "Daily digest" in str(m["Subject"]))
    assert sorted(str(m["To"]) for m in digest_mails(smtp_sink, "Daily")) == [ADA, BOB]
    # Every other e-mail is plain text as before (the overdue report's reminder to Ada).
    others = [m for m in smtp_sink.messages if " digest " not in str(m["Subject"])]
    assert others and {m.get_content_type() for m in others} == {"text/plain"}


async def test_the_weekly_digest_goes_to_each_portfolio_manager_once_on_monday(
    notifications: Any, notifications_payloads: Any, smtp_sink: SmtpSink
) -> None:
    await tell_the_world(notifications, notifications_payloads)
    sessions = notifications.runtime.sessions
    schedule = DigestSchedule(hour=7, zone=ZoneInfo("UTC"))
    today = utc_now()
    monday = datetime.combine(
        today.date() + timedelta(days=7 - today.weekday()), time(8), tzinfo=UTC
    )
    # Not due on Sunday evening (the dailies are); due on Monday after the hour, once.
    await send_due_digests(sessions, now=monday - timedelta(hours=12), schedule=schedule)
    assert await claims(notifications, "weekly") == {}
    for later in (0, 1, 5):
        await send_due_digests(sessions, now=monday + timedelta(hours=later), schedule=schedule)
    assert await claims(notifications, "weekly") == {PAT: False}
    mail = await smtp_sink.wait_for(lambda m: m["To"] == PAT)
    # (A subject that fits one continuation line is folded onto it whole: the parsed value then
    # starts with the folding space, which mail clients drop.)
    assert (
        str(mail["Subject"])
        .strip()
        .startswith(f"[PMO] Weekly digest {period_key(WEEKLY, monday.date())} (Orion)")
    )
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "  - CPI: 0.83" in plain.get_content()
    assert "Top reasons in Orion" in html.get_content()
    await eventually(lambda: delivered_all(notifications), what="every digest delivered")
    assert [str(m["To"]) for m in digest_mails(smtp_sink, "Weekly")] == [PAT]
