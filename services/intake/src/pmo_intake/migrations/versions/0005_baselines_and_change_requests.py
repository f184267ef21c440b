"""Baselines under change control: every version of each project's baseline, and the change
requests that propose the next one. Each existing project gets its baseline in force as
version 1 (ADR 0024)."""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

_projects = sa.table(
    "projects",
    sa.column("id", sa.String),
    sa.column("start_date", sa.Date),
    sa.column("end_date", sa.Date),
    sa.column("budget", sa.Float),
    sa.column("milestones", sa.JSON),
    sa.column("planned_value_profile", sa.JSON),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
# Who made the versions this revision writes is not known: the registry kept no actor.
_UNKNOWN_AUTHOR = "unknown"
_BACKFILL_REASON = "the baseline in force when baseline versions were introduced"


# Column shapes of this revision, frozen here (a migration must not change when the tables'
# helpers do): they build the same columns as db/tables.py declares.
def _email(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(320), nullable=nullable)


def _moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    baselines = op.create_table(
        "project_baselines",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("budget", sa.Float, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("planned_value_profile", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("change_request_id", sa.String(36), nullable=True),
        _email("created_by"),
        _moment("created_at"),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("justification", sa.Text, nullable=False),
        _email("requested_by"),
        _moment("requested_at"),
        _email("decided_by", nullable=True),
        _moment("decided_at", nullable=True),
        sa.Column("decision_reason", sa.Text, nullable=True),
        sa.Column("baseline_version", sa.Integer, nullable=True),
    )
    _version_existing_baselines(baselines)


def _version_existing_baselines(baselines: sa.Table) -> None:
    # A project registered before this revision has no version yet: its baseline in force
    # becomes version 1, dated when the project last changed.
    connection = op.get_bind()
    rows = connection.execute(sa.select(_projects)).all()
    if rows:
        op.bulk_insert(
            baselines,
            [
                {
                    "project_id": row.id,
                    "version": 1,
                    "budget": row.budget,
                    "start_date": row.start_date,
                    "end_date": row.end_date,
                    "milestones": row.milestones,
                    "planned_value_profile": row.planned_value_profile or [],
                    "reason": _BACKFILL_REASON,
                    "change_request_id": None,
                    "created_by": _UNKNOWN_AUTHOR,
                    "created_at": row.updated_at,
                }
                for row in rows
            ],
        )


def downgrade() -> None:
    op.drop_table("change_requests")
    op.drop_table("project_baselines")
