"""Planned-value profile on projected projects, per-report health snapshots, and overdue
announcements keyed by (project, period) so that replicas cannot announce a period twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # Batch mode: SQLite cannot ALTER a column list in place, PostgreSQL simply ALTERs.
    with op.batch_alter_table("monitored_projects") as batch:
        batch.add_column(
            sa.Column(
                "planned_value_profile", sa.JSON, nullable=False, server_default=sa.text("'[]'")
            )
        )
    op.create_table(
        "health_snapshots",
        sa.Column("report_id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("rag", sa.String(10), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "as_of", name="uq_health_snapshots_project_as_of"),
    )
    op.create_table(
        "overdue_announcements",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.Integer, primary_key=True),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The last period announced per project carries over, so it is not announced again.
    op.execute(
        "INSERT INTO overdue_announcements (project_id, period, due_date, published_at) "
        "SELECT project_id, period, due_date, published_at FROM overdue_notices"
    )
    op.drop_table("overdue_notices")


def downgrade() -> None:
    op.create_table(
        "overdue_notices",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO overdue_notices (project_id, period, due_date, published_at) "
        "SELECT a.project_id, a.period, a.due_date, a.published_at "
        "FROM overdue_announcements a WHERE a.period = "
        "(SELECT MAX(b.period) FROM overdue_announcements b WHERE b.project_id = a.project_id)"
    )
    op.drop_table("overdue_announcements")
    op.drop_table("health_snapshots")
    with op.batch_alter_table("monitored_projects") as batch:
        batch.drop_column("planned_value_profile")
