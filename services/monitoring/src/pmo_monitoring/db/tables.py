"""Monitoring's tables: projections of intake and standards, status reports and health."""

from __future__ import annotations

from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
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
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager", String(320), nullable=False, index=True),
    Column("sponsor", String(320), nullable=True),
    Column("methodology", String(64), nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("milestones", JSON, nullable=False),
    # Cumulative planned percent of the budget by date ([{date, percent}]); [] = straight line.
    Column("planned_value_profile", JSON, nullable=False, server_default=text("'[]'")),
    Column("portfolio_id", String(36), nullable=True, index=True),
    Column("program_id", String(36), nullable=True, index=True),
    Column("status", String(20), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("projected_at", DateTime(timezone=True), nullable=False),
)

# Standards' methodologies, newest published version of each (standards.methodology.published).
methodology_thresholds = Table(
    "methodology_thresholds",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("report_cadence_days", Integer, nullable=False),
    Column("thresholds", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Standards' latest compliance verdict per project (project.compliance.evaluated).
project_compliance = Table(
    "project_compliance",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("methodology", String(64), nullable=False),
    Column("compliant", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)

status_reports = Table(
    "status_reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False, index=True),
    Column("as_of", Date, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("actual_cost", Float, nullable=False),
    Column("milestones", JSON, nullable=False),
    Column("risks", JSON, nullable=False),
    Column("manager_rag", String(10), nullable=True),
    Column("summary", Text, nullable=True),
    Column("reported_by", String(320), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One report per project and day: a second one for the same as_of replaces the first.
    UniqueConstraint("project_id", "as_of", name="uq_status_reports_project_as_of"),
)

# The last assessment of each project; transitions are decided against its rag.
project_health = Table(
    "project_health",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("rag", String(10), nullable=False, index=True),
    Column("reasons", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("last_report_at", Date, nullable=True),
    Column("report_id", String(36), nullable=True),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
)

# Each report judged as of its own as_of when it was filed (or corrected): the series of
# GET /v1/projects/{id}/health/history. Keyed by the report, which keeps its id when corrected.
health_snapshots = Table(
    "health_snapshots",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("rag", String(10), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("project_id", "as_of", name="uq_health_snapshots_project_as_of"),
)

# Every missed reporting period announced with project.report_overdue. The primary key is the
# claim: a replica inserts the row before it emits, in one transaction, so of two replicas
# checking the same project at once only one can announce a period (docs/adr/0007).
overdue_announcements = Table(
    "overdue_announcements",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("period", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
