"""Alerts that follow the project's condition (issue 10, ADR 0016).

- `projects` keeps the latest health monitoring told (rag, reasons, metrics, the report date and
  health version they judge) and the newest status report's date, for the inbox and digests.
- `health_changes` keeps every change of colour (project.health_changed) for the digests.
- `alerts.severity_changes` lists each raise or lowering of an alert's severity.
- `alert_items` remembers the items an alert is made of (a missed period, an overdue action, a
  metric's early warning), so a project has one open alert per kind however many items it has.

Existing overdue alerts (one per period, one per action) are recorded as items, and a project's
active ones of a kind are merged: the newest stays active under the kind's key, the older ones
are resolved by the system, so the one-open-alert-per-kind index holds from this revision on.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

_MERGED_KINDS = ("report_overdue", "action_overdue")
_MERGED_NOTE = "Merged into the project's one open alert of this kind"


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("rag", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reasons", sa.JSON, nullable=True))
        batch.add_column(sa.Column("metrics", sa.JSON, nullable=True))
        batch.add_column(sa.Column("rag_as_of", sa.Date, nullable=True))
        batch.add_column(sa.Column("rag_version", sa.Integer, nullable=True))
        batch.add_column(sa.Column("last_report_at", sa.Date, nullable=True))
    op.create_table(
        "health_changes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("previous_rag", sa.String(20), nullable=True),
        sa.Column("rag", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("health_version", sa.Integer, nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason_codes", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_health_changes_project_changed", "health_changes", ["project_id", "changed_at"]
    )
    op.create_index(
        "ux_health_changes_version",
        "health_changes",
        ["project_id", "health_version"],
        unique=True,
    )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("severity_changes", sa.JSON, nullable=True))
    items = op.create_table(
        "alert_items",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("item_key", sa.String(120), primary_key=True),
        sa.Column("alert_id", sa.String(36), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("reason", sa.JSON, nullable=True),
        sa.Column("period", sa.Integer, nullable=True),
        sa.Column("as_of", sa.Date, nullable=True),
        sa.Column("health_version", sa.Integer, nullable=True),
        sa.Column("signalled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_alert_items_alert_id", "alert_items", ["alert_id"])
    _merge_overdue_alerts(items)


def _merge_overdue_alerts(items: sa.Table) -> None:
    """Record each overdue alert's item and keep one active alert per project and kind."""
    bind = op.get_bind()
    alerts = sa.table(
        "alerts",
        sa.column("id", sa.String),
        sa.column("project_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("deduplication_key", sa.String),
        sa.column("status", sa.String),
        sa.column("reasons", sa.JSON),
        sa.column("opened_at", sa.DateTime(timezone=True)),
        sa.column("resolved_at", sa.DateTime(timezone=True)),
        sa.column("resolved_by", sa.String),
        sa.column("resolution_note", sa.Text),
        sa.column("next_escalation_at", sa.DateTime(timezone=True)),
    )
    rows = (
        bind.execute(
            sa.select(alerts)
            .where(alerts.c.kind.in_(_MERGED_KINDS))
            .order_by(alerts.c.opened_at.desc(), alerts.c.id)
        )
        .mappings()
        .all()
    )
    kept: set[tuple[str, str]] = set()
    item_rows = []
    now = datetime.now(UTC)
    for row in rows:
        key = row["deduplication_key"]
        active = row["status"] != "resolved"
        period = key.split(":", 1)[1] if row["kind"] == "report_overdue" and ":" in key else None
        item_rows.append(
            {
                "project_id": row["project_id"],
                "item_key": key,
                "alert_id": row["id"],
                "active": active,
                "reason": (row["reasons"] or [None])[0],
                "period": int(period) if period and period.isdigit() else None,
                "as_of": None,
                "health_version": None,
                "signalled_at": row["opened_at"],
            }
        )
        if not active:
            continue
        scope = (row["project_id"], row["kind"])
        if scope in kept:
            bind.execute(
                sa.update(alerts)
                .where(alerts.c.id == row["id"])
                .values(
                    status="resolved",
                    resolved_at=now,
                    resolved_by="system",
                    resolution_note=_MERGED_NOTE,
                    next_escalation_at=None,
                )
            )
            continue
        kept.add(scope)
        bind.execute(
            sa.update(alerts).where(alerts.c.id == row["id"]).values(deduplication_key=row["kind"])
        )
    if item_rows:
        op.bulk_insert(items, item_rows)


def downgrade() -> None:
    op.drop_index("ix_alert_items_alert_id", table_name="alert_items")
    op.drop_table("alert_items")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("severity_changes")
    op.drop_index("ux_health_changes_version", table_name="health_changes")
    op.drop_index("ix_health_changes_project_changed", table_name="health_changes")
    op.drop_table("health_changes")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("last_report_at")
        batch.drop_column("rag_version")
        batch.drop_column("rag_as_of")
        batch.drop_column("metrics")
        batch.drop_column("reasons")
        batch.drop_column("rag")
