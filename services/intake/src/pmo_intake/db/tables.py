"""Intake's tables: the project registry, portfolios, programmes and known methodologies."""

from __future__ import annotations

from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import JSON, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()
messaging = messaging_tables(metadata)

projects = Table(
    "projects",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager", String(320), nullable=False, index=True),
    Column("sponsor", String(320), nullable=True),
    Column("methodology", String(64), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("milestones", JSON, nullable=False),
    Column("planned_value_profile", JSON, nullable=False, default=list),
    Column("portfolio_id", String(36), nullable=True, index=True),
    Column("program_id", String(36), nullable=True, index=True),
    Column("external_ref", String(100), nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("close_reason", Text, nullable=True),
)

portfolios = Table(
    "portfolios",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("owner", String(320), nullable=False),
    Column("description", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

programs = Table(
    "programs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("portfolio_id", String(36), nullable=True, index=True),
    Column("owner", String(320), nullable=False),
    Column("description", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

known_methodologies = Table(
    "known_methodologies",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
)

project_requests = Table(
    "project_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("business_case", Text, nullable=True),
    Column("requested_by", String(320), nullable=False, index=True),
    Column("proposal", JSON, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("decided_by", String(320), nullable=True),
    Column("decision_comment", Text, nullable=True),
    Column("project_id", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
