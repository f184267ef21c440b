"""Standards' tables: methodologies and their versions, the project projection, deliverables,
gate decisions and the best-practice library."""

from __future__ import annotations

from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

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
)
