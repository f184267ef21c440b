"""Intake's tables: the project registry, portfolios, programmes and known methodologies."""

from __future__ import annotations

from typing import Any

from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import JSON, Column, Date, Float, MetaData, String, Table, Text

metadata = MetaData()
messaging = messaging_tables(metadata)

projects = Table(
    "projects",
    metadata,
    id_column(),
    Column("name", String(200), nullable=False),
    email_column("manager", index=True),
    email_column("sponsor", nullable=True),
    Column("methodology", String(64), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    json_column("milestones"),
    Column("planned_value_profile", JSON, nullable=False, default=list),
    Column("portfolio_id", String(36), nullable=True, index=True),
    Column("program_id", String(36), nullable=True, index=True),
    Column("external_ref", String(100), nullable=True),
    Column("status", String(20), nullable=False, index=True),
    version_column(),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    timestamp_column("closed_at", nullable=True),
    Column("close_reason", Text, nullable=True),
)


def _project_grouping(name: str, *columns: Column[Any]) -> Table:
    """A named, owned grouping of projects: a portfolio, or a programme (inside a portfolio)."""
    return Table(
        name,
        metadata,
        id_column(),
        Column("name", String(200), nullable=False, unique=True),
        *columns,
        email_column("owner"),
        Column("description", Text, nullable=True),
        timestamp_column("created_at"),
    )


portfolios = _project_grouping("portfolios")
programs = _project_grouping(
    "programs", Column("portfolio_id", String(36), nullable=True, index=True)
)

known_methodologies = Table(
    "known_methodologies",
    metadata,
    id_column("key", length=64),
    Column("name", String(200), nullable=False),
    version_column(),
)

project_requests = Table(
    "project_requests",
    metadata,
    id_column(),
    Column("title", String(200), nullable=False),
    Column("business_case", Text, nullable=True),
    email_column("requested_by", index=True),
    json_column("proposal"),
    Column("status", String(20), nullable=False, index=True),
    email_column("decided_by", nullable=True),
    Column("decision_comment", Text, nullable=True),
    Column("project_id", String(36), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)
