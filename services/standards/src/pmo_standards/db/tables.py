"""Standards' tables: methodologies and their versions, the project projection, deliverables,
gate decisions and the best-practice library."""

from __future__ import annotations

from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()
messaging = messaging_tables(metadata)

# The current version of each methodology, as served by the API.
methodologies = Table(
    "methodologies",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("phases", JSON, nullable=False),
    Column("gates", JSON, nullable=False),
    Column("report_cadence_days", Integer, nullable=False),
    Column("thresholds", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(320), nullable=False),
)

# Every published version, kept so a past assessment can be explained.
methodology_versions = Table(
    "methodology_versions",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(320), nullable=False),
)

# Projection of intake's project registry, built from project.* events.
projects = Table(
    "projects",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager", String(320), nullable=True, index=True),
    Column("methodology", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

deliverables = Table(
    "deliverables",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("gate", String(64), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("url", String(2000), nullable=True),
    Column("submitted_by", String(320), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

gate_decisions = Table(
    "gate_decisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), nullable=False, index=True),
    Column("gate", String(64), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("comment", Text, nullable=True),
    Column("decided_by", String(320), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("methodology", String(64), nullable=False),
    Column("methodology_version", Integer, nullable=False),
)

practices = Table(
    "practices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("methodology", String(64), nullable=True, index=True),
    Column("search_text", Text, nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
