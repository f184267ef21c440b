"""What one status report costs the database: a budget of SQL statements, on SQLite.

The report path reads the project (locked), its newest reports with their points and the
idempotency key, and writes the report, its revision, its point, the health (one upsert that
also answers the RAG it replaced), the project's roll-up figures and partial, the event and the
key; since the RAID register (ADR 0025) also its audit record, one read of the project's
register (risks and open dependencies) and one of the projects depending on it. A read added
back (the stored health read before it is replaced, a second read of the reports) or a write
split in two breaks the budget.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from .conftest import Monitoring, days

STATEMENTS_PER_REPORT = 14


@contextmanager
def statements_run(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


def on_plan(offset: int) -> dict[str, Any]:
    """A report `offset` days from today exactly on plan (the project runs -100..+100 days)."""
    percent = (100 + offset) / 2
    body: dict[str, Any] = Monitoring.report_body(
        as_of=days(offset).isoformat(), percent_complete=percent, actual_cost=1000 * percent
    )
    return body


def reading(statements: list[str], table: str) -> list[str]:
    """The SELECTs among `statements` that read `table`."""
    return [s for s in statements if s.upper().startswith("SELECT") and f"FROM {table}" in s]


async def test_a_report_of_a_project_with_history_stays_within_the_statement_budget(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    for offset in (-21, -14, -7):
        await monitoring.file_report(project_id, on_plan(offset))
    headers = {**monitoring.auth_header(), "Idempotency-Key": str(uuid.uuid4())}

    with statements_run(monitoring.app.state.runtime.engine) as statements:
        filed = await monitoring.file_report(project_id, on_plan(0), headers)

    assert filed["health"]["rag"] == "green"  # no change of colour: no transition events
    assert len(statements) <= STATEMENTS_PER_REPORT, "\n".join(statements)
    assert len(reading(statements, "status_reports")) == 1
    # The health is replaced by an upsert that answers the RAG it replaced: no read first.
    assert reading(statements, "project_health") == []


async def test_a_report_changing_colour_answers_the_transition_from_the_stored_rag(
    monitoring: Monitoring,
) -> None:
    """The transition is decided against the RAG the upsert replaced: green, then red."""
    project = await monitoring.known_project()
    project_id = project["project_id"]
    await monitoring.file_report(project_id, monitoring.report_body(as_of=days(-7).isoformat()))

    overspent = monitoring.report_body(percent_complete=50, actual_cost=90000)
    filed = await monitoring.file_report(project_id, overspent)

    assert filed["health"]["rag"] == "red"
    changes = [
        event["data"]
        for topic, event in await monitoring.outbox()
        if topic == "project.health_changed"
    ]
    assert [(c["previous_rag"], c["rag"]) for c in changes] == [(None, "green"), ("green", "red")]
    assert [c["health_version"] for c in changes] == [1, 2]
