"""Intake's consumer: methodologies published by standards become names projects may use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.events.catalog import METHODOLOGY_PUBLISHED
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import MethodologyPublished
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_intake.db.tables import known_methodologies, messaging
from pmo_intake.handlers.consumed_events import CONSUMED
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import Intake

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def applier(intake_sessions: Sessions) -> EventApplier:
    """The applier the service's consumer runs, with intake's consumed events."""
    return EventApplier(
        consumer="pmo-intake",
        session_factory=intake_sessions,
        tables=messaging,
        handlers=CONSUMED,
        retry_backoff=0,
    )


def published(version: int = 1, name: str = "Scaled agile") -> CloudEvent:
    payload = MethodologyPublished(
        key="safe",
        name=name,
        version=version,
        phases=["plan", "deliver"],
        report_cadence_days=14,
        thresholds={"cpi_amber": 0.95},
    )
    return build_event(
        service="standards", event_type=METHODOLOGY_PUBLISHED.type, data=payload, subject="safe"
    )


async def stored(sessions: Sessions) -> list[Row[Any]]:
    async with sessions() as session:
        return list((await session.execute(select(known_methodologies))).all())


async def processed_count(sessions: Sessions) -> int:
    table = messaging.processed_events
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def test_intake_consumes_only_published_methodologies() -> None:
    assert CONSUMED.event_types == [METHODOLOGY_PUBLISHED.type]


async def test_a_published_methodology_is_accepted_for_projects_once(
    intake: Intake, applier: EventApplier, intake_sessions: Sessions
) -> None:
    before = await intake.client.post(
        "/v1/projects", json=intake.project_body(methodology="safe"), headers=intake.auth_header()
    )
    assert before.status_code == 422
    assert "body.methodology" in [error["field"] for error in before.json()["errors"]]

    event = published(version=2)
    assert await applier.apply(event) == (Outcome.APPLIED, None)
    after = await intake.client.post(
        "/v1/projects", json=intake.project_body(methodology="safe"), headers=intake.auth_header()
    )
    assert after.status_code == 201, after.text
    assert after.json()["methodology"] == "safe"

    assert await applier.apply(event) == (Outcome.DUPLICATE, None)
    assert await applier.apply_raw(event.to_bytes()) == (Outcome.DUPLICATE, None)
    assert [tuple(row) for row in await stored(intake_sessions)] == [("safe", "Scaled agile", 2)]
    assert await processed_count(intake_sessions) == 1


async def test_an_older_version_does_not_replace_a_newer_one(
    applier: EventApplier, intake_sessions: Sessions
) -> None:
    assert await applier.apply(published(version=3, name="SAFe 6")) == (Outcome.APPLIED, None)
    assert await applier.apply(published(version=2, name="SAFe 5")) == (Outcome.APPLIED, None)
    assert [tuple(row) for row in await stored(intake_sessions)] == [("safe", "SAFe 6", 3)]
    assert await applier.apply(published(version=4, name="SAFe 7")) == (Outcome.APPLIED, None)
    assert [tuple(row) for row in await stored(intake_sessions)] == [("safe", "SAFe 7", 4)]


async def test_data_that_does_not_fit_the_model_is_dead_lettered(
    applier: EventApplier, intake_sessions: Sessions
) -> None:
    event = CloudEvent(
        source="/pmo/standards",
        type=METHODOLOGY_PUBLISHED.type,
        subject="safe",
        data={"key": "safe", "name": "Scaled agile", "version": "not a number"},
    )
    outcome, failure = await applier.apply(event)
    assert outcome is Outcome.DEAD_LETTERED
    assert failure is not None
    assert failure.error_type == "ValidationError"
    assert await stored(intake_sessions) == []
    assert await processed_count(intake_sessions) == 0
