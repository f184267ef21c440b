"""`project.created` records as intake publishes them, for benchmarks that replay them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pmo_common.events.catalog import PROJECT_CREATED
from pmo_common.events.envelope import build_event
from pmo_common.events.payloads import ProjectCreated


def project_created_records(count: int) -> list[tuple[str, bytes]]:
    """`count` records, each a new active project, as (key, value): keyed by project id."""
    today = datetime.now(UTC).date()
    records = []
    for number in range(count):
        project_id = str(uuid.uuid4())
        payload = ProjectCreated(
            project_id=project_id,
            name=f"Bench project {number}",
            manager=f"manager{number % 50}@example.com",
            methodology="waterfall",
            start_date=today - timedelta(days=90),
            end_date=today + timedelta(days=270),
            budget=250_000.0,
            currency="EUR",
            portfolio_id=f"portfolio-{number % 10}",
            status="active",
            version=1,
        )
        event = build_event(
            service="intake", event_type=PROJECT_CREATED.type, data=payload, subject=project_id
        )
        records.append((project_id, event.to_bytes()))
    return records
