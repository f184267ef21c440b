"""One project.at_risk loads what it needs once: a bounded number of SQL statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_notifications.db.tables import deliveries, subscriptions
from pmo_notifications.domain.clock import utc_now
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# The applier's two (is it processed? record it), the project, silences, subscriptions, the
# escalation policies (the alert's ladder), the alert, its alert.raised in the outbox, and
# every delivery in one insert.
AT_RISK_STATEMENT_BUDGET = 9


@dataclass
class Consumer:
    """The service's applier on its own engine (no delivery job running beside it)."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    applier: EventApplier

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """The SQL statements run on the engine inside the block."""
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        sa_event.listen(self.engine.sync_engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            sa_event.remove(self.engine.sync_engine, "before_cursor_execute", count)


@pytest.fixture
def consumer(
    service_applier: tuple[AsyncEngine, async_sessionmaker[AsyncSession], EventApplier],
) -> Consumer:
    return Consumer(*service_applier)


async def test_an_at_risk_event_costs_at_most_nine_statements(
    consumer: Consumer, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    async with consumer.sessions() as session, session.begin():
        await session.execute(
            insert(subscriptions).values(
                id=str(uuid.uuid4()),
                owner="pm",
                owner_email="pm@example.com",
                channel="email",
                target="desk@example.com",
                event_types=["project.at_risk", "alert.raised"],
                project_id=project_id,
                portfolio_id=None,
                min_severity="info",
                secret=None,
                created_at=utc_now(),
                deleted_at=None,
            )
        )
    event = CloudEvent(
        source="/pmo/test",
        type="project.at_risk",
        subject=project_id,
        data=notifications_payloads.at_risk(project_id).model_dump(mode="json"),
    )
    with consumer.counting() as statements:
        outcome, failure = await consumer.applier.apply(event)
    assert (outcome, failure) == (Outcome.APPLIED, None)
    assert len(statements) <= AT_RISK_STATEMENT_BUDGET, "\n".join(statements)

    # The same work as before: the manager and the subscriber (twice: signal and alert.raised).
    async with consumer.sessions() as session:
        rows = (
            await session.execute(
                select(deliveries.c.event_type, deliveries.c.target).where(
                    deliveries.c.project_id == project_id
                )
            )
        ).all()
    assert sorted((row.event_type, row.target) for row in rows) == [
        ("alert.raised", "desk@example.com"),
        ("project.at_risk", "ada@example.com"),
        ("project.at_risk", "desk@example.com"),
    ]


async def test_a_repeated_at_risk_event_refreshes_the_alert_in_few_statements(
    consumer: Consumer, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    first = notifications_payloads.at_risk(project_id)
    await consumer.applier.apply(
        CloudEvent(source="/t", type="project.at_risk", data=first.model_dump(mode="json"))
    )
    again = notifications_payloads.at_risk(project_id, as_of=date(2026, 3, 9))
    with consumer.counting() as statements:
        outcome, _ = await consumer.applier.apply(
            CloudEvent(source="/t", type="project.at_risk", data=again.model_dump(mode="json"))
        )
    assert outcome is Outcome.APPLIED
    # ...plus finding the open alert and refreshing it, less the outbox (nothing new is raised).
    assert len(statements) <= AT_RISK_STATEMENT_BUDGET + 1, "\n".join(statements)
