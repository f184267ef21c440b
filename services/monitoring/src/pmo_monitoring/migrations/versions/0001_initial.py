"""Initial monitoring schema: projections, status reports, health, messaging tables."""

import sqlalchemy as sa
from alembic import op

from pmo_common.db.messaging_migration import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "monitored_projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("manager", sa.String(320), nullable=False, index=True),
        sa.Column("sponsor", sa.String(320), nullable=True),
        sa.Column("methodology", sa.String(64), nullable=False, index=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("budget", sa.Float, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("portfolio_id", sa.String(36), nullable=True, index=True),
        sa.Column("program_id", sa.String(36), nullable=True, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("projected_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "methodology_thresholds",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("report_cadence_days", sa.Integer, nullable=False),
        sa.Column("thresholds", sa.JSON, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "project_compliance",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("methodology", sa.String(64), nullable=False),
        sa.Column("compliant", sa.Boolean, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "status_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), nullable=False, index=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("percent_complete", sa.Float, nullable=False),
        sa.Column("actual_cost", sa.Float, nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("risks", sa.JSON, nullable=False),
        sa.Column("manager_rag", sa.String(10), nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("reported_by", sa.String(320), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "as_of", name="uq_status_reports_project_as_of"),
    )
    op.create_table(
        "project_health",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("rag", sa.String(10), nullable=False, index=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("last_report_at", sa.Date, nullable=True),
        sa.Column("report_id", sa.String(36), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "overdue_notices",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("overdue_notices")
    op.drop_table("project_health")
    op.drop_table("status_reports")
    op.drop_table("project_compliance")
    op.drop_table("methodology_thresholds")
    op.drop_table("monitored_projects")
    drop_messaging_tables()
