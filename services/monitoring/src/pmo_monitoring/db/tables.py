"""Monitoring's tables: projections of intake and standards, status reports and health."""

from __future__ import annotations

from pmo_common.audit.trail import audit_table
from pmo_common.db import email_column, id_column, json_column, timestamp_column, version_column
from pmo_common.db.columns import code_column, name_column, reference_column, text_column
from pmo_common.messaging.tables import messaging_tables
from pmo_common.portfolios.members import portfolio_members_table
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)

metadata = MetaData()
messaging = messaging_tables(metadata)
audit_records = audit_table(metadata)

# Intake's registry as monitoring last heard it (project.created/updated/closed).
monitored_projects = Table(
    "monitored_projects",
    metadata,
    id_column(),
    name_column(),
    email_column("manager", index=True),
    email_column("sponsor", nullable=True),
    reference_column("methodology", length=64, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("budget", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    json_column("milestones"),
    # Cumulative planned percent of the budget by date ([{date, percent}]); [] = straight line.
    Column("planned_value_profile", JSON, nullable=False, server_default=text("'[]'")),
    reference_column("portfolio_id", nullable=True, index=True),
    reference_column("program_id", nullable=True, index=True),
    code_column("status", index=True),
    version_column(),
    timestamp_column("closed_at", nullable=True),
    timestamp_column("projected_at"),
    # Which baseline version the baseline columns are (the one in force); see baseline_versions.
    Column("baseline_version", Integer, nullable=False, server_default=text("1")),
)

# Standards' methodologies, newest published version of each (standards.methodology.published).
methodology_thresholds = Table(
    "methodology_thresholds",
    metadata,
    id_column("key", length=64),
    name_column(),
    version_column(),
    Column("report_cadence_days", Integer, nullable=False),
    json_column("thresholds"),
    timestamp_column("received_at"),
)

# Standards' latest compliance verdict per project (project.compliance.evaluated).
project_compliance = Table(
    "project_compliance",
    metadata,
    id_column("project_id"),
    reference_column("methodology", length=64),
    Column("compliant", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    json_column("findings"),
    timestamp_column("evaluated_at"),
)

status_reports = Table(
    "status_reports",
    metadata,
    id_column(),
    reference_column("project_id", index=True),
    Column("as_of", Date, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("actual_cost", Float, nullable=False),
    json_column("milestones"),
    json_column("risks"),
    code_column("manager_rag", length=10, nullable=True),
    text_column("summary", nullable=True),
    email_column("reported_by"),
    Column("revision", Integer, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    # The current revision's: whether it corrected figures or history, and why.
    Column("correction", Boolean, nullable=False, server_default=false()),
    text_column("correction_note", nullable=True),
    # One report per project and day: a second one for the same as_of replaces the first.
    UniqueConstraint("project_id", "as_of", name="uq_status_reports_project_as_of"),
)

# Every version of every report as it was filed (the current one included), append-only:
# GET /v1/projects/{id}/status-reports/{report_id}/revisions. Written in the transaction that
# writes the report, only after that write took (see report_revision_repository).
status_report_revisions = Table(
    "status_report_revisions",
    metadata,
    reference_column("report_id"),
    Column("revision", Integer, nullable=False),
    reference_column("project_id"),
    Column("as_of", Date, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("actual_cost", Float, nullable=False),
    json_column("milestones"),
    json_column("risks"),
    code_column("manager_rag", length=10, nullable=True),
    text_column("summary", nullable=True),
    Column("correction", Boolean, nullable=False),
    text_column("correction_note", nullable=True),
    email_column("reported_by"),
    timestamp_column("filed_at"),
    PrimaryKeyConstraint("report_id", "revision"),
)

# The last assessment of each project; transitions are decided against its rag.
project_health = Table(
    "project_health",
    metadata,
    id_column("project_id"),
    code_column("rag", length=10, index=True),
    json_column("reasons"),
    json_column("metrics"),
    Column("as_of", Date, nullable=False),
    Column("last_report_at", Date, nullable=True),
    reference_column("report_id", nullable=True),
    timestamp_column("assessed_at"),
    # One higher for every assessment stored, carried by the health events it causes, so a
    # consumer tells a stale event (a replay) from news; 0 for rows stored before versions.
    Column("health_version", Integer, nullable=False, server_default=text("0")),
    # The RAG this assessment replaced (null for a project's first): the upsert storing the
    # health sets it from the row it overwrites and returns it, so the transition is known
    # without reading the row first (health_repository.replace_health).
    code_column("previous_rag", length=10, nullable=True),
    # The reasons this assessment replaced (null for a project's first), set and returned the
    # same way: the early warnings they show against the new ones start and end episodes.
    json_column("previous_reasons", nullable=True),
    # The baseline version it was judged against (null: stored before versions were kept).
    Column("baseline_version", Integer, nullable=True),
)

# Each report judged as of its own as_of when it was filed (or corrected): the series of
# GET /v1/projects/{id}/health/history. Keyed by the report, which keeps its id when corrected.
health_snapshots = Table(
    "health_snapshots",
    metadata,
    id_column("report_id"),
    reference_column("project_id"),
    Column("as_of", Date, nullable=False),
    code_column("rag", length=10),
    json_column("reasons"),
    json_column("metrics"),
    timestamp_column("assessed_at"),
    UniqueConstraint("project_id", "as_of", name="uq_health_snapshots_project_as_of"),
    # The baseline version the report was judged against, kept when the baseline changes
    # later (null: stored before versions were kept).
    Column("baseline_version", Integer, nullable=True),
)

# Every missed reporting period announced with project.report_overdue. The primary key is the
# claim: a replica inserts the row before it emits, in one transaction, so of two replicas
# checking the same project at once only one can announce a period (docs/adr/0007).
overdue_announcements = Table(
    "overdue_announcements",
    metadata,
    id_column("project_id"),
    Column("period", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    timestamp_column("published_at"),
)

# Casefolded names sort as Python sorts them (by code point) on PostgreSQL too: there the
# column compares bytewise ("C"), whatever the database's own collation; SQLite always does.
NAME_KEY = String(800).with_variant(String(800, collation="C"), "postgresql")
ROLLED_UP_MONEY = ("ev", "pv", "ac", "bac", "eac")
# The RAGs project_figures stores ("unknown" before any report), each counted in a partial.
STORED_RAGS = ("green", "amber", "red", "unknown")
# A partial's counts: its projects, those of each stored RAG, those reporting, and those of
# the reporting ones whose EAC is unknown.
ROLLED_UP_COUNTS = ("project_count", *STORED_RAGS, "reporting_count", "eac_unknown_count")
# Every figure a partial holds: its counts, then its sums.
ROLLED_UP_FIGURES = (*ROLLED_UP_COUNTS, *ROLLED_UP_MONEY)

# Each project's current figures for the portfolio roll-up, one narrow row per projected
# project: its registry side (name, owner, groups, status) written with monitored_projects,
# its health side (stored RAG, last report, earned-value figures) with project_health, in the
# same transactions. GET /v1/portfolio/health reads rollup_partials for the sums and pages
# through this table by index, so it never loads every project (docs/adr/0012).
project_figures = Table(
    "project_figures",
    metadata,
    id_column("project_id"),
    name_column(),
    Column("name_key", NAME_KEY, nullable=False),  # name.casefold(): the listing's order
    email_column("manager"),
    email_column("manager_key", index=True),  # lower-cased: e-mails ignore case
    reference_column("methodology", length=64),
    Column("currency", String(3), nullable=False),
    reference_column("portfolio_id", nullable=True),
    reference_column("program_id", nullable=True, index=True),
    code_column("status"),
    Column("closed", Boolean, nullable=False),
    # Spreads a large portfolio's projects over several rollup_partials rows (crc32 % 16), so
    # refreshing one row after a report reads a sixteenth of them.
    Column("bucket", SmallInteger, nullable=False),
    code_column("rag", length=10),  # as stored; "unknown" before any report
    Column("last_report_at", Date, nullable=True),
    # Day numbers (date.toordinal()) so that "overdue" is integer arithmetic on both
    # databases: start_day is the project's start, reference_day the last report's day,
    # or the start before any report (what the reporting cadence counts from).
    Column("start_day", Integer, nullable=False),
    Column("reference_day", Integer, nullable=False),
    Column("reporting", Boolean, nullable=False),  # has EV, PV, AC and BAC to sum
    *(Column(name, Float, nullable=True) for name in ROLLED_UP_MONEY),
    Index(
        "ix_project_figures_partial", "portfolio_id", "program_id", "currency", "closed", "bucket"
    ),
    # The listing: worst RAG first, then by name; one index range per (closed, stored RAG).
    Index("ix_project_figures_listing", "closed", "rag", "name_key", "name", "project_id"),
    # Who has missed a report: a range of reference days per stored RAG.
    Index("ix_project_figures_reference", "closed", "rag", "reference_day"),
)

# Counts and sums of project_figures per portfolio, programme, currency, closed or not and
# bucket, refreshed from those rows before every commit that changed them. Empty string keys
# stand for "outside any portfolio / programme" (a primary key cannot hold null).
rollup_partials = Table(
    "rollup_partials",
    metadata,
    reference_column("portfolio_key"),
    reference_column("program_key"),
    Column("currency", String(3), nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("bucket", SmallInteger, nullable=False),
    *(Column(name, Integer, nullable=False) for name in ROLLED_UP_COUNTS),
    *(Column(name, Float, nullable=False) for name in ROLLED_UP_MONEY),
    PrimaryKeyConstraint("portfolio_key", "program_key", "currency", "closed", "bucket"),
)

# The alerts (notifications) and interventions (standards) about each project, by id, from
# their events: open until their closing event. A closing event that overtakes its opening one
# (they travel on different topics) is kept as a closed row, so the late opening stays closed.
follow_ups = Table(
    "follow_ups",
    metadata,
    code_column("kind"),
    reference_column("item_id"),
    reference_column("project_id", index=True),
    text_column("title", nullable=True),
    timestamp_column("recorded_at"),
    timestamp_column("closed_at", nullable=True),
    PrimaryKeyConstraint("kind", "item_id"),
)

# Every baseline version monitoring has heard of (project.created/updated carry the one in
# force, project.rebaselined the new one and the one it replaced): the original (version 1)
# and the current one answer GET /v1/projects/{id}/baseline-variance. Who, when and why are
# known only from project.rebaselined (null for a version heard of otherwise).
baseline_versions = Table(
    "baseline_versions",
    metadata,
    reference_column("project_id"),
    Column("version", Integer, nullable=False),
    Column("budget", Float, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    json_column("milestones"),
    json_column("planned_value_profile"),
    text_column("reason", nullable=True),
    email_column("changed_by", nullable=True),
    timestamp_column("changed_at", nullable=True),
    reference_column("change_request_id", nullable=True),
    timestamp_column("recorded_at"),
    PrimaryKeyConstraint("project_id", "version"),
)

# The RAID register (docs/adr/0025): each project's risks, assumptions, issues, decisions and
# dependencies, one row per item; the columns of the other kinds are null. A dependency names
# the upstream project it waits for, indexed so the upstream's report finds its dependents.
raid_items = Table(
    "raid_items",
    metadata,
    id_column(),
    reference_column("project_id"),
    code_column("kind"),
    name_column("title"),
    text_column("description", nullable=True),
    email_column("owner", nullable=True),
    code_column("status"),
    Column("probability", Float, nullable=True),
    Column("impact", Integer, nullable=True),
    text_column("response", nullable=True),
    code_column("severity", nullable=True),
    Column("due_date", Date, nullable=True),
    name_column("decided_by", nullable=True),
    Column("decided_on", Date, nullable=True),
    reference_column("depends_on_project_id", nullable=True, index=True),
    Column("needed_by", Date, nullable=True),
    email_column("created_by"),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_raid_items_listing", "project_id", "kind", "status"),
)

# Projection of intake's portfolio membership (intake.portfolio.member_*): who reads and who
# acts as manager for each portfolio's projects (docs/adr/0026).
portfolio_members = portfolio_members_table(metadata)
