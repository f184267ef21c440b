"""Two notifications replicas on one PostgreSQL database send each digest once per reader and
period.

Readers are seeded first through one app's event applier (Kafka off): managers whose projects
are at risk (an open alert: news for their daily digest), managers with nothing to report, and
portfolio managers. Then two replicas run on the same database, each with its own digest job
every 0.1 s at digest hour 0 UTC (so today's daily digest is due whatever the time), while rounds
of concurrent explicit passes run in both — today, and next Monday for the weekly digests.
Every reader must have exactly one claim per period, each claim with news exactly one e-mail
planned and received, and none for those with nothing to report; a claim contended on the unique
index waits for the first and then yields to it.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.digest_repository import DigestClaim, claim_digest
from pmo_notifications.db.tables import deliveries, digests_sent
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.digest_periods import DAILY, WEEKLY, DigestSchedule, period_key
from pmo_notifications.handlers.digest_job import digest_schedule, send_due_digests
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually
from pmo_stack.testkit.app_replicas import (
    SharedDatabase,
    database_fixture,
    race,
    replica_settings,
    running_replicas,
)
from pmo_stack.testkit.postgres_locks import second_claim
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

DEADLINE = 60.0
# The period key a digest's subject names: "[PMO] Daily digest 2026-03-02: ...".
_SUBJECT_KEY = re.compile(r"\] (?:Daily|Weekly) digest (\S+?)[ :]")
AT_RISK_MANAGERS = 8
QUIET_MANAGERS = 3
PORTFOLIO_MANAGERS = 3
ROUNDS = 4


database = database_fixture("notifications_digests", migrate)


def _event(event_type: str, data: Mapping[str, object], subject: str | None = None) -> CloudEvent:
    return CloudEvent(source="/pmo/test", type=event_type, subject=subject, data=dict(data))


def _project(project_id: str, manager: str, portfolio_id: str) -> dict[str, object]:
    return {
        "project_id": project_id,
        "name": f"Digest race {project_id[:8]}",
        "manager": manager,
        "methodology": "waterfall",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "budget": 1000,
        "currency": "EUR",
        "portfolio_id": portfolio_id,
        "status": "active",
        "version": 1,
    }


def _at_risk(project: dict[str, object]) -> dict[str, object]:
    return {
        "project_id": project["project_id"],
        "project_name": project["name"],
        "manager": project["manager"],
        "portfolio_id": project["portfolio_id"],
        "rag": "red",
        "severity": "critical",
        "reasons": [{"code": "cpi_below_threshold", "message": "CPI 0.80 is below 0.90"}],
        "metrics": {"cpi": 0.8},
        "as_of": utc_now().date().isoformat(),
    }


async def _seed(app: FastAPI) -> tuple[set[str], set[str], set[str]]:
    """Apply the world's events; (managers with news, quiet managers, portfolio managers)."""
    applier = app.state.runtime.applier
    tag = uuid.uuid4().hex[:6]
    busy = {f"busy-{n}-{tag}@example.com" for n in range(AT_RISK_MANAGERS)}
    quiet = {f"quiet-{n}-{tag}@example.com" for n in range(QUIET_MANAGERS)}
    owners = {f"owner-{n}-{tag}@example.com" for n in range(PORTFOLIO_MANAGERS)}
    events = []
    portfolios = []
    for owner in sorted(owners):
        portfolio_id = f"pf-{uuid.uuid4().hex[:8]}"
        portfolios.append(portfolio_id)
        data = {"portfolio_id": portfolio_id, "name": f"Portfolio of {owner}", "owner": owner}
        events.append(_event("intake.portfolio.created", data))
    for index, manager in enumerate(sorted(busy | quiet)):
        project = _project(str(uuid.uuid4()), manager, portfolios[index % len(portfolios)])
        events.append(_event("project.created", project, str(project["project_id"])))
        if manager in busy:
            events.append(_event("project.at_risk", _at_risk(project), str(project["project_id"])))
    for event in events:
        _outcome, failure = await applier.apply(event)
        assert failure is None, failure
    return busy, quiet, owners


@pytest.fixture
async def readers(
    database: SharedDatabase, smtp_sink: SmtpSink, tmp_path: Path
) -> tuple[set[str], set[str], set[str]]:
    """The readers, seeded by one app whose digest job is off (no pass sees half the world)."""
    [settings] = replica_settings(
        NotificationsSettings,
        database,
        tmp_path / "seeding",
        count=1,
        smtp=smtp_sink,
        digest_check_seconds=0,
    )
    async with running_replicas(create_app, [settings]) as [app]:
        return await _seed(app)


@pytest.fixture
async def replicas(
    database: SharedDatabase, smtp_sink: SmtpSink, tmp_path: Path, readers: object
) -> AsyncIterator[list[FastAPI]]:
    """Two notifications apps with their digest jobs running every 0.1 s, due all day (UTC)."""
    settings = replica_settings(
        NotificationsSettings,
        database,
        tmp_path,
        smtp=smtp_sink,
        digest_hour=0,
        timezone="UTC",
        digest_check_seconds=0.1,
    )
    async with running_replicas(create_app, settings) as apps:
        yield apps


async def _pass(app: FastAPI, *, now: datetime | None = None) -> None:
    schedule = digest_schedule(app.state.runtime.settings)
    await send_due_digests(app.state.runtime.sessions, now=now or utc_now(), schedule=schedule)


def _next_monday() -> datetime:
    today = utc_now().date()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), time(8), tzinfo=UTC)


async def test_replicas_send_each_digest_exactly_once_per_reader_and_period(
    replicas: list[FastAPI],
    database: SharedDatabase,
    smtp_sink: SmtpSink,
    readers: tuple[set[str], set[str], set[str]],
) -> None:
    busy, quiet, owners = readers
    # The replicas' own jobs run every 0.1 s meanwhile; these rounds add concurrent passes.
    for _round in range(ROUNDS):
        await race(replicas, _pass)
        await race(replicas, partial(_pass, now=_next_monday()))

    today_key = DigestSchedule(hour=0, zone=ZoneInfo("UTC")).due(DAILY, utc_now())
    next_week_key = period_key(WEEKLY, _next_monday().date())
    table = digests_sent.c
    claims = await database.rows(
        select(table.id, table.recipient, table.period, table.period_key, table.nothing_to_report)
    )
    daily = {c.recipient: c.nothing_to_report for c in claims if c.period_key == today_key}
    assert daily == {manager: False for manager in busy} | {manager: True for manager in quiet}
    weekly = {c.recipient: c.nothing_to_report for c in claims if c.period_key == next_week_key}
    assert weekly == {owner: False for owner in owners}
    per_key = Counter((c.recipient, c.period, c.period_key) for c in claims)
    assert set(per_key.values()) == {1}  # the unique index's promise, read back

    # Each claim with news planned exactly one e-mail, and nothing else was planned.
    with_news = [c for c in claims if not c.nothing_to_report]
    planned = await database.rows(
        select(deliveries.c.event_id, deliveries.c.target).where(
            deliveries.c.event_type.like("digest.%"), deliveries.c.attempt == 1
        )
    )
    assert sorted(tuple(row) for row in planned) == sorted((c.id, c.recipient) for c in with_news)

    # And each reached its reader once: one e-mail per reader and period key (in its subject).
    def received() -> Counter[tuple[str, str]]:
        keys = ((str(m["To"]), _SUBJECT_KEY.search(str(m["Subject"]))) for m in smtp_sink.messages)
        return Counter((to, key.group(1)) for to, key in keys if key is not None)

    async def all_received() -> bool:
        return sum(received().values()) >= len(with_news)

    await eventually(all_received, what="every digest e-mail received", within=DEADLINE)
    assert received() == Counter((c.recipient, c.period_key) for c in with_news)


async def _claim_now(session: AsyncSession, *, recipient: str) -> bool:
    claim = DigestClaim(
        id=str(uuid.uuid4()),
        recipient=recipient,
        period=DAILY,
        period_key="2026-03-02",
        sent_at=utc_now(),
        nothing_to_report=False,
    )
    return await claim_digest(session, claim=claim)


async def test_a_contended_claim_waits_for_the_first_and_yields_to_it(
    database: SharedDatabase,
) -> None:
    """On PostgreSQL, the second claimer of a reader's digest waits on the unique index until
    the first commits (then gets False) or rolls back (then gets True): never both True."""
    for first_commits in (True, False):
        claim = partial(_claim_now, recipient=f"race-{uuid.uuid4().hex[:8]}@example.com")
        got = await second_claim(database.engine, claim, first_commits=first_commits)
        assert got is (not first_commits)
    rows = select(func.count()).select_from(digests_sent)
    assert await database.count(rows) == 2
