"""Standards' tables: methodologies and their versions, the project projection, deliverables,
gate decisions, the best-practice library and the interventions in projects in difficulty."""

from __future__ import annotations

from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text

metadata = MetaData()
messaging = messaging_tables(metadata)

# The current version of each methodology, as served by the API.
methodologies = Table(
    "methodologies",
    metadata,
    id_column("key", length=64),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
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
    Column("name", String(200), nullable=False),
    email_column("manager", nullable=True, index=True),
    Column("methodology", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    version_column(),
    timestamp_column("updated_at"),
)

deliverables = Table(
    "deliverables",
    metadata,
    id_column("project_id", length=64),
    id_column("gate", length=64),
    Column("name", String(200), primary_key=True),
    Column("url", String(2000), nullable=True),
    email_column("submitted_by"),
    timestamp_column("submitted_at"),
)

gate_decisions = Table(
    "gate_decisions",
    metadata,
    id_column(),
    Column("project_id", String(64), nullable=False, index=True),
    Column("gate", String(64), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("comment", Text, nullable=True),
    email_column("decided_by"),
    timestamp_column("decided_at"),
    Column("methodology", String(64), nullable=False),
    Column("methodology_version", Integer, nullable=False),
)

practices = Table(
    "practices",
    metadata,
    id_column(),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    json_column("tags"),
    Column("methodology", String(64), nullable=True, index=True),
    Column("search_text", Text, nullable=False),
    email_column("created_by"),
    timestamp_column("created_at", index=True),
    Column("kind", String(20), nullable=False, server_default="practice"),
    # Lessons only: the project whose intervention left it and the reasons it was red.
    Column("project_id", String(64), nullable=True, index=True),
    json_column("reason_codes", nullable=True),
)

interventions = Table(
    "interventions",
    metadata,
    id_column(),
    Column("project_id", String(64), nullable=False, index=True),
    # The project id while the case is open, NULL once closed: unique, so a project has at most
    # one open case even if two consumers race (NULLs never collide on SQLite or PostgreSQL).
    Column("open_for_project", String(64), nullable=True, unique=True, index=True),
    Column("project_name", String(200), nullable=False),
    email_column("manager"),
    email_column("sponsor", nullable=True),
    Column("portfolio_id", String(64), nullable=True),
    Column("status", String(10), nullable=False),
    timestamp_column("opened_at", index=True),
    timestamp_column("closed_at", nullable=True),
    Column("close_reason", String(20), nullable=True),
    email_column("owner", nullable=True, index=True),
    json_column("reasons"),
    json_column("suggested_practices"),
    json_column("exception_report", nullable=True),
    json_column("decision", nullable=True),
    timestamp_column("recovered_at", nullable=True),
    Column("health_version", Integer, nullable=True),
    Column("lesson_practice_id", String(36), nullable=True),
)

intervention_actions = Table(
    "intervention_actions",
    metadata,
    id_column(),
    Column("intervention_id", String(36), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    email_column("owner"),
    Column("due_date", Date, nullable=False, index=True),
    Column("status", String(10), nullable=False),
    timestamp_column("done_at", nullable=True),
    email_column("created_by"),
    timestamp_column("created_at"),
    # Set once, by the replica whose compare-and-set claims the action's overdue announcement.
    timestamp_column("overdue_notified_at", nullable=True),
)
