"""Notifications' tables: the project projection, alerts, subscriptions, silences, deliveries,
escalation policies and the owners of the PMO's interventions."""

from __future__ import annotations

from pmo_common.audit.trail import audit_table
from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.db.columns import code_column, name_column, reference_column, text_column
from pmo_common.messaging.tables import messaging_tables
from pmo_common.portfolios.members import portfolio_members_table
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

metadata = MetaData()
messaging = messaging_tables(metadata)
audit_records = audit_table(metadata)

# What notifications knows of each project, built from intake's events (and, until intake's
# event arrives, from the at-risk event's own fields with version 0).
projects = Table(
    "projects",
    metadata,
    id_column(length=64),
    name_column(),
    email_column("manager", index=True),
    email_column("sponsor", nullable=True, index=True),
    reference_column("portfolio_id", length=64, nullable=True, index=True),
    code_column("status"),
    version_column(),
    timestamp_column("updated_at"),
    # When monitoring sent the newest at-risk or recovered signal applied (see migration 0002).
    Column("health_signal_at", DateTime(timezone=True), nullable=True),
    # The report date and monitoring's health version of that signal (see migration 0004):
    # signals are ordered by (as_of, version, sent time), a missing version before any other.
    Column("health_as_of", Date, nullable=True),
    Column("health_version", Integer, nullable=True),
    # The project's latest health as monitoring last told it (health_changed, status_reported;
    # see migration 0006): the colour, its reasons and figures, and the report date and health
    # version they come from, by which a late event is told from news.
    code_column("rag", nullable=True),
    json_column("reasons", nullable=True),
    json_column("metrics", nullable=True),
    Column("rag_as_of", Date, nullable=True),
    Column("rag_version", Integer, nullable=True),
    # The report date of the newest status report filed (None before the first one).
    Column("last_report_at", Date, nullable=True),
    # The currency the registry says the project reports in (see migration 0009).
    Column("currency", String(3), nullable=True),
)

# Every change of a project's colour monitoring announced (project.health_changed), kept for the
# digests' "what changed since"; one row per health version (a replay adds none).
health_changes = Table(
    "health_changes",
    metadata,
    id_column(),
    reference_column("project_id", length=64),
    code_column("previous_rag", nullable=True),
    code_column("rag"),
    Column("as_of", Date, nullable=False),
    Column("health_version", Integer, nullable=True),
    timestamp_column("changed_at"),
    json_column("reason_codes"),
    Index("ix_health_changes_project_changed", "project_id", "changed_at"),
    Index("ux_health_changes_version", "project_id", "health_version", unique=True),
)

ACTIVE_ALERT = "status <> 'resolved'"

alerts = Table(
    "alerts",
    metadata,
    id_column(),
    reference_column("project_id", length=64, index=True),
    name_column("project_name"),
    code_column("kind", length=40),
    Column("deduplication_key", String(80), nullable=False),
    code_column("severity", index=True),
    code_column("status", index=True),
    Column("title", String(400), nullable=False),
    json_column("reasons"),
    code_column("rag", nullable=True),
    timestamp_column("opened_at", index=True),
    timestamp_column("acknowledged_at", nullable=True),
    email_column("acknowledged_by", nullable=True),
    timestamp_column("resolved_at", nullable=True),
    email_column("resolved_by", nullable=True),
    text_column("resolution_note", nullable=True),
    timestamp_column("last_event_at"),
    # The escalation ladder (see migration 0005): the policy chosen at opening, the level
    # reached and the repeats started, and when the next step is due (the ladder job's query).
    reference_column("escalation_policy_id", nullable=True),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("escalation_repeats", Integer, nullable=False, server_default=text("0")),
    timestamp_column("next_escalation_at", nullable=True, index=True),
    # Each raise or lowering of the alert's severity, [{at, from, to}] oldest first (see
    # migration 0006; None on alerts never changed).
    json_column("severity_changes", nullable=True),
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

# The items an alert of several is made of, each remembered once per project (see migration
# 0006): a missed reporting period (`report_overdue:<period>`), an overdue recovery action
# (`action_overdue:<action id>`), a metric's early warning (`early_warning:<metric>`). The key
# keeps a period or an action from being alerted twice, even after its alert was resolved; an
# early warning's report date and health version order its episode's start and end.
alert_items = Table(
    "alert_items",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("item_key", String(120), primary_key=True),
    reference_column("alert_id", nullable=True, index=True),
    Column("active", Boolean, nullable=False),
    # The reason line the item adds to its alert while active.
    json_column("reason", nullable=True),
    Column("period", Integer, nullable=True),
    Column("as_of", Date, nullable=True),
    Column("health_version", Integer, nullable=True),
    timestamp_column("signalled_at"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    id_column(),
    email_column("owner", index=True),
    email_column("owner_email", nullable=True),
    code_column("channel"),
    Column("target", String(2000), nullable=False),
    json_column("event_types"),
    reference_column("project_id", length=64, nullable=True),
    reference_column("portfolio_id", length=64, nullable=True),
    code_column("min_severity"),
    # The HMAC key has to be readable to sign; it is never returned after creation.
    Column("secret", String(200), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("deleted_at", nullable=True, index=True),
    # Grouping (see migration 0007, ADR 0017): 0 = each delivery at once.
    Column("group_wait_seconds", Integer, nullable=False, server_default=text("0")),
    Column("group_interval_seconds", Integer, nullable=False, server_default=text("0")),
    # The language of its messages (see migration 0009, ADR 0023); null: PMO_DEFAULT_LOCALE.
    Column("locale", String(8), nullable=True),
)

silences = Table(
    "silences",
    metadata,
    id_column(),
    reference_column("project_id", length=64, nullable=True),
    reference_column("portfolio_id", length=64, nullable=True),
    text_column("reason"),
    timestamp_column("starts_at"),
    timestamp_column("ends_at", index=True),
    email_column("created_by"),
    timestamp_column("created_at"),
)

WAITING_IN_GROUP = "status = 'grouped' AND grouped_into IS NULL"

# One row per delivery attempt; a failed attempt that will be retried is followed by a new
# row with the same message_id (the webhook-id), so the history of every try stays visible.
deliveries = Table(
    "deliveries",
    metadata,
    id_column(),
    Column("message_id", String(64), nullable=False, index=True),
    reference_column("event_id", length=64, index=True),
    Column("event_type", String(200), nullable=False),
    reference_column("alert_id", nullable=True, index=True),
    reference_column("project_id", length=64, nullable=True, index=True),
    reference_column("subscription_id", nullable=True, index=True),
    code_column("channel"),
    Column("target", String(2000), nullable=False),
    Column("subject", String(400), nullable=True),
    text_column("payload"),
    Column("attempt", Integer, nullable=False),
    code_column("status"),
    Column("http_status", Integer, nullable=True),
    text_column("error", nullable=True),
    timestamp_column("created_at"),
    # When the message was planned (its first attempt's created_at, copied to every attempt):
    # a target receives one project's messages in this order (see migration 0003).
    timestamp_column("planned_at"),
    timestamp_column("next_attempt_at"),
    Column("claim_token", String(36), nullable=True),
    timestamp_column("claimed_until", nullable=True),
    timestamp_column("attempted_at", nullable=True),
    timestamp_column("completed_at", nullable=True),
    # An event's delivery waiting in its group (status `grouped`, see migration 0007): the group,
    # and once the group went out, the message id of the group's one delivery.
    reference_column("group_id", nullable=True),
    Column("grouped_into", String(64), nullable=True),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_project_queue", "project_id", "status", "planned_at"),
    # The events still waiting in their groups: few at any time, read by the group job each pass.
    Index(
        "ix_deliveries_waiting_in_group",
        "group_id",
        "next_attempt_at",
        sqlite_where=text(WAITING_IN_GROUP),
        postgresql_where=text(WAITING_IN_GROUP),
    ),
)

# Each group of a subscription's events of one portfolio (ADR 0017), its id derived from that
# key: when it last went out, and the earliest it may go out again (group_interval_seconds).
delivery_groups = Table(
    "delivery_groups",
    metadata,
    id_column(),
    reference_column("subscription_id", index=True),
    reference_column("portfolio_id", length=64, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("last_sent_at", nullable=True),
    timestamp_column("next_send_at", nullable=True),
    Column("sends", Integer, nullable=False, server_default=text("0")),
)

# The policy of a portfolio is keyed by its id; the default policy by DEFAULT_POLICY_SCOPE (no
# portfolio id is empty), so a unique column keeps one policy per portfolio and one default.
DEFAULT_POLICY_SCOPE = ""

escalation_policies = Table(
    "escalation_policies",
    metadata,
    id_column(),
    name_column(),
    reference_column("portfolio_id", length=64, nullable=True),
    Column("scope", String(64), nullable=False, unique=True),
    json_column("levels"),
    Column("repeat", Integer, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

# Standards' interventions as the `intervention_owner` keyword needs them: each project's
# latest case and its owner (see domain/intervention_owners.py).
intervention_owners = Table(
    "intervention_owners",
    metadata,
    Column("project_id", String(64), primary_key=True),
    reference_column("intervention_id", length=64),
    email_column("owner", nullable=True),
    Column("closed", Boolean, nullable=False),
    timestamp_column("changed_at"),
)

# The digests' projections and claims (ADR 0018, migration 0008). Portfolios and their managers
# as intake's intake.portfolio.created tells them (e-mails lower-cased, as compared).
portfolios = Table(
    "portfolios",
    metadata,
    id_column(length=64),
    name_column(),
    email_column("owner", index=True),
    timestamp_column("updated_at"),
)

# Standards' recovery actions as the daily digest lists them (intervention.action_added,
# _overdue and _done, in any order: a done action stays done, whatever arrives after). An
# action of a case that was closed (intervention_owners) is nobody's to do any more.
intervention_actions = Table(
    "intervention_actions",
    metadata,
    id_column("action_id", length=64),
    reference_column("project_id", length=64, index=True),
    reference_column("intervention_id", length=64),
    Column("title", String(400), nullable=True),
    email_column("owner", nullable=True),
    Column("due_date", Date, nullable=True),
    timestamp_column("done_at", nullable=True),
    timestamp_column("updated_at"),
)

# One row per recipient and period: claimed by the replica that plans the digest's e-mail, in
# the same transaction, so one digest goes out per recipient and period across replicas.
digests_sent = Table(
    "digests_sent",
    metadata,
    id_column(),
    email_column("recipient"),
    code_column("period"),
    Column("period_key", String(16), nullable=False),
    timestamp_column("sent_at"),
    # Nothing to report: no e-mail went out, but the period is done for the recipient.
    Column("nothing_to_report", Boolean, nullable=False),
    Index("ux_digests_sent_once", "recipient", "period", "period_key", unique=True),
)

# Projection of intake's portfolio membership (intake.portfolio.member_*): who reads and who
# acts as manager for each portfolio's projects (docs/adr/0026).
portfolio_members = portfolio_members_table(metadata)
