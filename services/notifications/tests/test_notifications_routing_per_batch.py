"""A batch of events applied in one transaction reads the silences and subscriptions once, and
routes each event exactly as it would alone.

Three projects in three portfolios, subscriptions scoped to a project, to a portfolio and to
everything (critical only), and a silence on one project, made through the API; the events are
applied as one batch by the service's own applier on the same migrated SQLite file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_notifications.db.tables import deliveries
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.handlers import routing_facts
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# conftest's `service_applier`: the service's applier on an engine of its own.
ServiceApplier = tuple[AsyncEngine, async_sessionmaker[AsyncSession], EventApplier]

# Per batch: the applier's two (which ids are processed, record them), silences, subscriptions,
# escalation policies; per event: the project, the alert, its alert.raised in the outbox, its
# deliveries.
PER_BATCH, PER_EVENT = 5, 4


@contextmanager
def statements_on(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(engine.sync_engine, "before_cursor_execute", count)


async def subscribe(app: Any, target: str, **scope: str) -> None:
    """A PMO admin's e-mail subscription of `target` to project.at_risk, scoped as given."""
    fields = {"channel": "email", "target": target, "event_types": ["project.at_risk"], **scope}
    answer = await app.client.post("/v1/subscriptions", headers=app.auth(), json=fields)
    assert answer.status_code == 201, answer.text


async def scoped_subscriptions_and_a_silence(run_notifications: Any) -> dict[str, str]:
    """Subscriptions to project A, to portfolio X and to every critical event; project C
    silenced (through the API; the app is stopped again, so nothing is sent). Returns the
    project ids by letter."""
    ids = {letter: str(uuid.uuid4()) for letter in "ABC"}
    async with run_notifications() as app:
        await subscribe(app, "project-a@example.com", project_id=ids["A"])
        await subscribe(app, "portfolio-x@example.com", portfolio_id="X")
        await subscribe(app, "all-critical@example.com", min_severity="critical")
        ends_at = (utc_now() + timedelta(hours=1)).isoformat()
        silence = {"project_id": ids["C"], "reason": "maintenance", "ends_at": ends_at}
        answer = await app.client.post("/v1/silences", headers=app.auth(), json=silence)
        assert answer.status_code == 201, answer.text
    return ids


def at_risk_batch(ids: dict[str, str], payloads: Any) -> list[bytes | None]:
    """A critical at-risk signal for A (portfolio Y), warnings for B (X) and C (Z)."""
    signals = [
        payloads.at_risk(ids["A"], portfolio_id="Y", severity="critical"),
        payloads.at_risk(ids["B"], portfolio_id="X", severity="warning"),
        payloads.at_risk(ids["C"], portfolio_id="Z", severity="warning"),
    ]
    return [
        CloudEvent(
            source="/pmo/test",
            type="project.at_risk",
            subject=signal.project_id,
            data=signal.model_dump(mode="json"),
        ).to_bytes()
        for signal in signals
    ]


async def at_risk_deliveries(applier: ServiceApplier, project_id: str) -> list[tuple[str, str]]:
    """(target, status) of each project.at_risk delivery planned for the project."""
    _, sessions, _ = applier
    async with sessions() as session:
        rows = await session.execute(
            select(deliveries.c.target, deliveries.c.status).where(
                deliveries.c.project_id == project_id,
                deliveries.c.event_type == "project.at_risk",
            )
        )
        return sorted((row.target, row.status) for row in rows)


@pytest.mark.parametrize("held", [True, False], ids=["held", "too-many-to-hold"])
async def test_a_batch_routes_every_event_as_alone(
    service_applier: ServiceApplier,
    run_notifications: Any,
    notifications_payloads: Any,
    monkeypatch: pytest.MonkeyPatch,
    held: bool,
) -> None:
    if not held:
        # Fewer than the three live subscriptions: each scope is queried instead.
        monkeypatch.setattr(routing_facts, "MAX_HELD_SUBSCRIPTIONS", 2)
    ids = await scoped_subscriptions_and_a_silence(run_notifications)
    engine, _, applier = service_applier

    with statements_on(engine) as statements:
        results = await applier.apply_batch(at_risk_batch(ids, notifications_payloads))

    assert results == [(Outcome.APPLIED, None)] * 3
    if held:
        assert len(statements) <= PER_BATCH + PER_EVENT * 3, "\n".join(statements)
    manager = "ada@example.com"
    assert await at_risk_deliveries(service_applier, ids["A"]) == [
        ("ada@example.com", "pending"),
        ("all-critical@example.com", "pending"),
        ("project-a@example.com", "pending"),
    ]
    assert await at_risk_deliveries(service_applier, ids["B"]) == [
        (manager, "pending"),
        ("portfolio-x@example.com", "pending"),
    ]
    assert await at_risk_deliveries(service_applier, ids["C"]) == [(manager, "skipped")]


async def test_a_session_reads_them_again_in_its_next_transaction(
    service_applier: ServiceApplier, run_notifications: Any
) -> None:
    _, sessions, _ = service_applier

    async def targets(session: AsyncSession) -> list[str]:
        facts = await routing_facts.routing_facts(session, at=utc_now())
        held = facts.subscriptions
        assert held is not None
        return sorted(subscription.target for subscription in held)

    async with run_notifications() as app:
        await subscribe(app, "early@example.com")
        async with sessions() as session:
            async with session.begin():
                assert await targets(session) == ["early@example.com"]
                await subscribe(app, "late@example.com")
                assert await targets(session) == ["early@example.com"], "once per transaction"
            async with session.begin():
                assert await targets(session) == ["early@example.com", "late@example.com"]
