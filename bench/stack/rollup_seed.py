"""Seeding monitoring's PostgreSQL database with many projects and their health, in bulk.

Rows follow monitoring's own table definitions (pmo_monitoring.db.tables) and are written
with COPY: the projection, the stored health and each project's roll-up figures (computed by
the service's own `figures_row`), then every roll-up partial recomputed from the figures by
the service's own `rebuild_partials`, as the roll-up reads them (docs/adr/0012).
Their health is real: 200 synthetic projects of bench.health_recompute, their latest report
assessed by the service's health rules and stored as the service stores it (metrics_record,
reason_records); each seeded project copies one of them under its own id, name, portfolio
(one of 40) and programme (one of 160). A schema change that adds a required column makes
seeding fail with the column's name, rather than seed something the service would not have
written.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from pmo_monitoring.db.project_figures import figures_row
from pmo_monitoring.db.tables import (
    monitored_projects,
    project_figures,
    project_health,
    rollup_partials,
)
from pmo_monitoring.domain import DEFAULT_THRESHOLDS, assess_health
from pmo_monitoring.domain.records import (
    MonitoredProject,
    StoredHealth,
    metrics_record,
    reason_records,
)
from sqlalchemy import Table

from bench.health_recompute import build_projects
from bench.rollup_scale import copy_rows, rebuild_rollup_partials

TEMPLATES = 200
PORTFOLIOS = 40
PROGRAMMES = 160
SEED = 20_240_101
CHUNK = 10_000


@dataclass(frozen=True)
class Template:
    """A project baseline and its assessed health, to copy under other ids."""

    project: dict[str, Any]
    health: dict[str, Any]


def templates(today: date) -> list[Template]:
    """Synthetic projects, each with its latest report judged by the health rules."""
    found: list[Template] = []
    for synthetic in build_projects(TEMPLATES, SEED):
        baseline, report = synthetic.baseline, synthetic.reports[-1]
        assessment = assess_health(baseline, report, DEFAULT_THRESHOLDS, report.as_of, None)
        project = {
            "start_date": baseline.start_date,
            "end_date": baseline.end_date,
            "budget": baseline.budget,
            "milestones": [
                {"name": m.name, "due_date": m.due_date.isoformat()} for m in baseline.milestones
            ],
        }
        health = {
            "rag": assessment.rag,
            "reasons": reason_records(assessment.reasons),
            "metrics": metrics_record(assessment.metrics),
            "as_of": report.as_of,
            # Reported lately, so the roll-up does not turn it amber for a missed report.
            "last_report_at": today - timedelta(days=3),
        }
        found.append(Template(project, health))
    return found


_RANDOM = random.Random(SEED)
# The same portfolios and programmes for every chunk and both sizes.
PORTFOLIO_IDS = [str(uuid.UUID(int=_RANDOM.getrandbits(128))) for _ in range(PORTFOLIOS)]
PROGRAMME_IDS = [str(uuid.UUID(int=_RANDOM.getrandbits(128))) for _ in range(PROGRAMMES)]


def _figures(project: Mapping[str, Any], health: Mapping[str, Any]) -> dict[str, Any]:
    """The project's project_figures row, as the service writes it (db/project_figures.py)."""
    registry = {name: project[name] for name in MonitoredProject.__dataclass_fields__}
    stored = {name: health[name] for name in StoredHealth.__dataclass_fields__}
    # The figures read neither milestones nor the planned value profile.
    return figures_row(
        MonitoredProject(**{**registry, "milestones": (), "planned_value_profile": ()}),
        StoredHealth(**stored),
    )


def _rows(shapes: Sequence[Template], count: int, offset: int) -> dict[Table, list[dict[str, Any]]]:
    """Each table's rows for `count` projects numbered from `offset`, in COPY order."""
    now = datetime.now(UTC)
    projects, healths, figures = [], [], []
    for number in range(offset, offset + count):
        shape = shapes[number % len(shapes)]
        project_id = str(uuid.uuid4())
        programme = number % PROGRAMMES
        projects.append(
            {
                **shape.project,
                "id": project_id,
                "name": f"Seeded project {number:06d}",
                "manager": f"manager{number % 997}@example.com",
                "sponsor": None,
                "methodology": "waterfall",
                "currency": "EUR",
                "planned_value_profile": [],
                "portfolio_id": PORTFOLIO_IDS[programme % PORTFOLIOS],
                "program_id": PROGRAMME_IDS[programme],
                "status": "active",
                "version": 1,
                "baseline_version": 1,
                "closed_at": None,
                "projected_at": now,
            }
        )
        healths.append(
            {
                **shape.health,
                "project_id": project_id,
                "report_id": None,
                "assessed_at": now,
                "baseline_version": 1,
            }
        )
        figures.append(_figures(projects[-1], healths[-1]))
    return {monitored_projects: projects, project_health: healths, project_figures: figures}


async def seed_projects(
    connection: asyncpg.Connection, database_url: str, count: int, offset: int
) -> None:
    """Add `count` projects with their health and roll-up figures (numbered from `offset`),
    in COPY chunks, then recompute every roll-up partial (those of the projects already
    there included) as the service would have kept them."""
    shapes = templates(datetime.now(UTC).date())
    for start in range(0, count, CHUNK):
        for table, rows in _rows(shapes, min(CHUNK, count - start), offset + start).items():
            columns, records = copy_rows(table, rows)
            await connection.copy_records_to_table(table.name, records=records, columns=columns)
    await rebuild_rollup_partials(database_url)
    for table in (monitored_projects, project_health, project_figures, rollup_partials):
        await connection.execute(f"ANALYZE {table.name}")
