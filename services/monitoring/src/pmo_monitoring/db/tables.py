"""Monitoring's tables: projections of intake and standards, status reports and health."""

from __future__ import annotations

from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()
messaging = messaging_tables(metadata)

# Intake's registry as monitoring last heard it (project.created/updated/closed).
monitored_projects = Table(
    "monitored_projects",
    metadata,
    id_column(),
    Column("name", String(200), nullable=False),
    email_column("manager", index=True),
    email_column("sponsor", nullable=True),
    Column("methodology", String(64), nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    json_column("milestones"),
    # Cumulative planned percent of the budget by date ([{date, percent}]); [] = straight line.
    Column("planned_value_profile", JSON, nullable=False, server_default=text("'[]'")),
    Column("portfolio_id", String(36), nullable=True, index=True),
    Column("program_id", String(36), nullable=True, index=True),
    Column("status", String(20), nullable=False, index=True),
    version_column(),
    timestamp_column("closed_at", nullable=True),
    timestamp_column("projected_at"),
)

# Standards' methodologies, newest published version of each (standards.methodology.published).
methodology_thresholds = Table(
    "methodology_thresholds",
    metadata,
    id_column("key", length=64),
    Column("name", String(200), nullable=False),
    version_column(),
    Column("report_cadence_days", Integer, nullable=False),
    json_column("thresholds"),
    timestamp_column("received_at"),
)

# Standards' latest compliance verdict per project (project.compliance.evaluated).
project_compliance = Table(
    "project_compliance",
    metadata,
    id_column("project_id"),
    Column("methodology", String(64), nullable=False),
    Column("compliant", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    json_column("findings"),
    timestamp_column("evaluated_at"),
)

status_reports = Table(
    "status_reports",
    metadata,
    id_column(),
    Column("project_id", String(36), nullable=False, index=True),
    Column("as_of", Date, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("actual_cost", Float, nullable=False),
    json_column("milestones"),
    json_column("risks"),
    Column("manager_rag", String(10), nullable=True),
    Column("summary", Text, nullable=True),
    email_column("reported_by"),
    Column("revision", Integer, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    # One report per project and day: a second one for the same as_of replaces the first.
    UniqueConstraint("project_id", "as_of", name="uq_status_reports_project_as_of"),
)

# The last assessment of each project; transitions are decided against its rag.
project_health = Table(
    "project_health",
    metadata,
    id_column("project_id"),
    Column("rag", String(10), nullable=False, index=True),
    json_column("reasons"),
    json_column("metrics"),
    Column("as_of", Date, nullable=False),
    Column("last_report_at", Date, nullable=True),
    Column("report_id", String(36), nullable=True),
    timestamp_column("assessed_at"),
    # One higher for every assessment stored, carried by the health events it causes, so a
    # consumer tells a stale event (a replay) from news; 0 for rows stored before versions.
    Column("health_version", Integer, nullable=False, server_default=text("0")),
)

# Each report judged as of its own as_of when it was filed (or corrected): the series of
# GET /v1/projects/{id}/health/history. Keyed by the report, which keeps its id when corrected.
health_snapshots = Table(
    "health_snapshots",
    metadata,
    id_column("report_id"),
    Column("project_id", String(36), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("rag", String(10), nullable=False),
    json_column("reasons"),
    json_column("metrics"),
    timestamp_column("assessed_at"),
    UniqueConstraint("project_id", "as_of", name="uq_health_snapshots_project_as_of"),
)

# Every missed reporting period announced with project.report_overdue. The primary key is the
# claim: a replica inserts the row before it emits, in one transaction, so of two replicas
# checking the same project at once only one can announce a period (docs/adr/0007).
overdue_announcements = Table(
    "overdue_announcements",
    metadata,
    id_column("project_id"),
    Column("period", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    timestamp_column("published_at"),
)
