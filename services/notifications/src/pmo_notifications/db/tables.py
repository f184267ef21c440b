"""Notifications' tables: the project projection, alerts, subscriptions, silences, deliveries."""

from __future__ import annotations

from pmo_common.messaging.tables import messaging_tables
from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table, Text, text

metadata = MetaData()
messaging = messaging_tables(metadata)

# What notifications knows of each project, built from intake's events (and, until intake's
# event arrives, from the at-risk event's own fields with version 0).
projects = Table(
    "projects",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager", String(320), nullable=False, index=True),
    Column("sponsor", String(320), nullable=True, index=True),
    Column("portfolio_id", String(64), nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ACTIVE_ALERT = "status <> 'resolved'"

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), nullable=False, index=True),
    Column("project_name", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("deduplication_key", String(80), nullable=False),
    Column("severity", String(20), nullable=False, index=True),
    Column("status", String(20), nullable=False, index=True),
    Column("title", String(400), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("rag", String(20), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False, index=True),
    Column("acknowledged_at", DateTime(timezone=True), nullable=True),
    Column("acknowledged_by", String(320), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(320), nullable=True),
    Column("resolution_note", Text, nullable=True),
    Column("last_event_at", DateTime(timezone=True), nullable=False),
    # One active alert per project and key, even if two replicas race on the same signal.
    Index(
        "ux_alerts_one_active",
        "project_id",
        "deduplication_key",
        unique=True,
        sqlite_where=text(ACTIVE_ALERT),
        postgresql_where=text(ACTIVE_ALERT),
    ),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(320), nullable=False, index=True),
    Column("owner_email", String(320), nullable=True),
    Column("channel", String(20), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("portfolio_id", String(64), nullable=True),
    Column("min_severity", String(20), nullable=False),
    # The HMAC key has to be readable to sign; it is never returned after creation.
    Column("secret", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True, index=True),
)

silences = Table(
    "silences",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(64), nullable=True),
    Column("portfolio_id", String(64), nullable=True),
    Column("reason", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False, index=True),
    Column("created_by", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per delivery attempt; a failed attempt that will be retried is followed by a new
# row with the same message_id (the webhook-id), so the history of every try stays visible.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("message_id", String(64), nullable=False, index=True),
    Column("event_id", String(64), nullable=False, index=True),
    Column("event_type", String(200), nullable=False),
    Column("alert_id", String(36), nullable=True, index=True),
    Column("project_id", String(64), nullable=True, index=True),
    Column("subscription_id", String(36), nullable=True, index=True),
    Column("channel", String(20), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("subject", String(400), nullable=True),
    Column("payload", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claim_token", String(36), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("attempted_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)
