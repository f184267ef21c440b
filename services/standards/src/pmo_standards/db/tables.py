"""Standards' tables: methodologies and their versions, the project projection, deliverables,
gate decisions, the best-practice library and the interventions in projects in difficulty."""

from __future__ import annotations

from pmo_common.audit.trail import audit_table
from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.db.columns import code_column, name_column, reference_column, text_column
from pmo_common.messaging.tables import messaging_tables
from pmo_common.portfolios.members import portfolio_members_table
from sqlalchemy import Column, Date, Integer, MetaData, String, Table

metadata = MetaData()
messaging = messaging_tables(metadata)
audit_records = audit_table(metadata)

# The current version of each methodology, as served by the API.
methodologies = Table(
    "methodologies",
    metadata,
    id_column("key", length=64),
    name_column(),
    text_column("description", nullable=True),
    version_column(),
    json_column("phases"),
    json_column("gates"),
    Column("report_cadence_days", Integer, nullable=False),
    json_column("thresholds"),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    email_column("published_by"),
)

# Every published version, kept so a past assessment can be explained.
methodology_versions = Table(
    "methodology_versions",
    metadata,
    id_column("key", length=64),
    Column("version", Integer, primary_key=True),
    json_column("definition"),
    timestamp_column("published_at"),
    email_column("published_by"),
)

# Projection of intake's project registry, built from project.* events.
projects = Table(
    "projects",
    metadata,
    id_column(length=64),
    name_column(),
    email_column("manager", nullable=True, index=True),
    reference_column("methodology", length=64, nullable=True),
    code_column("status"),
    version_column(),
    timestamp_column("updated_at"),
    # Whose portfolio managers and members see the project (NULL: outside any, or not yet
    # heard of from a snapshot carrying it).
    reference_column("portfolio_id", length=64, nullable=True, index=True),
)

deliverables = Table(
    "deliverables",
    metadata,
    id_column("project_id", length=64),
    id_column("gate", length=64),
    name_column(primary_key=True),
    Column("url", String(2000), nullable=True),
    email_column("submitted_by"),
    timestamp_column("submitted_at"),
)

gate_decisions = Table(
    "gate_decisions",
    metadata,
    id_column(),
    reference_column("project_id", length=64, index=True),
    reference_column("gate", length=64),
    code_column("decision"),
    text_column("comment", nullable=True),
    email_column("decided_by"),
    timestamp_column("decided_at"),
    reference_column("methodology", length=64),
    Column("methodology_version", Integer, nullable=False),
)

practices = Table(
    "practices",
    metadata,
    id_column(),
    name_column("title"),
    text_column("body"),
    json_column("tags"),
    reference_column("methodology", length=64, nullable=True, index=True),
    text_column("search_text"),
    email_column("created_by"),
    timestamp_column("created_at", index=True),
    Column("kind", String(20), nullable=False, server_default="practice"),
    # Lessons only: the project whose intervention left it and the reasons it was red.
    reference_column("project_id", length=64, nullable=True, index=True),
    json_column("reason_codes", nullable=True),
)

interventions = Table(
    "interventions",
    metadata,
    id_column(),
    reference_column("project_id", length=64, index=True),
    # The project id while the case is open, NULL once closed: unique, so a project has at most
    # one open case even if two consumers race (NULLs never collide on SQLite or PostgreSQL).
    reference_column("open_for_project", length=64, nullable=True, unique=True, index=True),
    name_column("project_name"),
    email_column("manager"),
    email_column("sponsor", nullable=True),
    reference_column("portfolio_id", length=64, nullable=True),
    code_column("status", length=10),
    timestamp_column("opened_at", index=True),
    timestamp_column("closed_at", nullable=True),
    code_column("close_reason", nullable=True),
    email_column("owner", nullable=True, index=True),
    json_column("reasons"),
    json_column("suggested_practices"),
    json_column("exception_report", nullable=True),
    json_column("decision", nullable=True),
    timestamp_column("recovered_at", nullable=True),
    Column("health_version", Integer, nullable=True),
    reference_column("lesson_practice_id", nullable=True),
)

intervention_actions = Table(
    "intervention_actions",
    metadata,
    id_column(),
    reference_column("intervention_id", index=True),
    name_column("title"),
    email_column("owner"),
    Column("due_date", Date, nullable=False, index=True),
    code_column("status", length=10),
    timestamp_column("done_at", nullable=True),
    email_column("created_by"),
    timestamp_column("created_at"),
    # Set once, by the replica whose compare-and-set claims the action's overdue announcement.
    timestamp_column("overdue_notified_at", nullable=True),
)

# Projection of intake's portfolio membership (intake.portfolio.member_*): who reads and who
# acts as manager for each portfolio's projects (docs/adr/0026).
portfolio_members = portfolio_members_table(metadata)
