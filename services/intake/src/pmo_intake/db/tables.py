"""Intake's tables: the project registry (with its baseline versions and change requests),
portfolios, programmes, known methodologies, and demand (requests, their scores and history,
scoring models, budget envelopes, scenarios)."""

from __future__ import annotations

from typing import Any

from pmo_common.audit.trail import audit_table
from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.db.columns import code_column, name_column, reference_column, text_column
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
)

metadata = MetaData()
messaging = messaging_tables(metadata)
audit_records = audit_table(metadata)

projects = Table(
    "projects",
    metadata,
    id_column(),
    name_column(),
    email_column("manager", index=True),
    email_column("sponsor", nullable=True),
    reference_column("methodology", length=64),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    json_column("milestones"),
    Column("planned_value_profile", JSON, nullable=False, default=list),
    reference_column("portfolio_id", nullable=True, index=True),
    reference_column("program_id", nullable=True, index=True),
    Column("external_ref", String(100), nullable=True),
    code_column("status", index=True),
    version_column(),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    timestamp_column("closed_at", nullable=True),
    text_column("close_reason", nullable=True),
)


def _project_grouping(name: str, *columns: Column[Any]) -> Table:
    """A named, owned grouping of projects: a portfolio, or a programme (inside a portfolio)."""
    return Table(
        name,
        metadata,
        id_column(),
        name_column(unique=True),
        *columns,
        email_column("owner"),
        text_column("description", nullable=True),
        timestamp_column("created_at"),
    )


portfolios = _project_grouping("portfolios", reference_column("scoring_model_id", nullable=True))
programs = _project_grouping(
    "programs", reference_column("portfolio_id", nullable=True, index=True)
)

known_methodologies = Table(
    "known_methodologies",
    metadata,
    id_column("key", length=64),
    name_column(),
    version_column(),
)

project_requests = Table(
    "project_requests",
    metadata,
    id_column(),
    name_column("title"),
    text_column("business_case", nullable=True),
    email_column("requested_by", index=True),
    json_column("proposal"),
    code_column("status", index=True),
    email_column("decided_by", nullable=True),
    text_column("decision_comment", nullable=True),
    reference_column("project_id", nullable=True),
    reference_column("portfolio_id", nullable=True, index=True),
    Column("score", Float, nullable=True, index=True),
    Column("score_breakdown", JSON, nullable=False, default=list),
    Column("score_spread", Float, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

# Every step of every request, in the order taken (the integer key keeps that order).
request_transitions = Table(
    "request_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    reference_column("request_id", index=True),
    code_column("action"),
    code_column("from_status", nullable=True),
    code_column("to_status"),
    email_column("actor"),
    text_column("comment", nullable=True),
    timestamp_column("at"),
)

# The current version of each scoring model, and every version it had.
scoring_models = Table(
    "scoring_models",
    metadata,
    id_column(),
    name_column(unique=True),
    json_column("criteria"),
    version_column(),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)
scoring_model_versions = Table(
    "scoring_model_versions",
    metadata,
    id_column("model_id"),
    Column("version", Integer, primary_key=True),
    name_column(),
    json_column("criteria"),
    timestamp_column("created_at"),
)

# Each reviewer's own values for a request (one row per reviewer, replaced when they rescore).
request_scores = Table(
    "request_scores",
    metadata,
    id_column("request_id"),
    email_column("reviewer", primary_key=True),
    reference_column("model_id"),
    Column("model_version", Integer, nullable=False),
    json_column("criteria"),
    timestamp_column("scored_at"),
)

portfolio_budgets = Table(
    "portfolio_budgets",
    metadata,
    id_column("portfolio_id"),
    Column("year", Integer, primary_key=True),
    Column("amount", Float, nullable=False),
    email_column("updated_by"),
    timestamp_column("updated_at"),
)

scenarios = Table(
    "scenarios",
    metadata,
    id_column(),
    reference_column("portfolio_id", index=True),
    Column("budget_cap", Float, nullable=False),
    json_column("capacity"),
    json_column("demands"),
    json_column("must_include"),
    json_column("must_exclude"),
    json_column("dependencies"),
    json_column("selected"),
    Column("total_score", Float, nullable=False),
    Column("total_cost", Float, nullable=False),
    Column("greedy_score", Float, nullable=False),
    Column("optimal", Boolean, nullable=False),
    json_column("frontier"),
    code_column("status"),
    email_column("created_by"),
    timestamp_column("created_at"),
    email_column("committed_by", nullable=True),
    timestamp_column("committed_at", nullable=True),
)

# Every version of every project's baseline (version 1 at registration; ADR 0024).
project_baselines = Table(
    "project_baselines",
    metadata,
    id_column("project_id"),
    Column("version", Integer, primary_key=True),
    Column("budget", Float, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    json_column("milestones"),
    json_column("planned_value_profile"),
    text_column("reason"),
    reference_column("change_request_id", nullable=True),
    email_column("created_by"),
    timestamp_column("created_at"),
)

change_requests = Table(
    "change_requests",
    metadata,
    id_column(),
    reference_column("project_id", index=True),
    code_column("status"),
    json_column("changes"),
    text_column("justification"),
    email_column("requested_by"),
    timestamp_column("requested_at"),
    email_column("decided_by", nullable=True),
    timestamp_column("decided_at", nullable=True),
    text_column("decision_reason", nullable=True),
    Column("baseline_version", Integer, nullable=True),
)

# Who manages or views which portfolio (ADR 0026); e-mails are stored in lower case.
portfolio_members = Table(
    "portfolio_members",
    metadata,
    id_column("portfolio_id"),
    email_column("email", primary_key=True, index=True),
    code_column("role"),
    email_column("added_by"),
    timestamp_column("added_at"),
)
