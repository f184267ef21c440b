"""Report data quality: status reports say whether they correct the record
(status_reports.correction, correction_note), and every version of a report is kept
(status_report_revisions).

Reports stored before this revision are copied in as their current version only: the
versions they replaced were overwritten and are gone, so their history starts at the
revision number they had (a report at revision 3 lists one version, numbered 3).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

_COPIED = (
    "project_id, as_of, percent_complete, actual_cost, milestones, risks, manager_rag, summary, "
    "correction, correction_note, reported_by"
)


def upgrade() -> None:
    with op.batch_alter_table("status_reports") as batch:
        # Every report filed before corrections existed was taken as it came: not one.
        batch.add_column(
            sa.Column("correction", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("correction_note", sa.Text, nullable=True))
    op.create_table(
        "status_report_revisions",
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("percent_complete", sa.Float, nullable=False),
        sa.Column("actual_cost", sa.Float, nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("risks", sa.JSON, nullable=False),
        sa.Column("manager_rag", sa.String(10), nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("correction", sa.Boolean, nullable=False),
        sa.Column("correction_note", sa.Text, nullable=True),
        sa.Column("reported_by", sa.String(320), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "revision"),
    )
    op.execute(
        f"INSERT INTO status_report_revisions (report_id, revision, {_COPIED}, filed_at) "
        f"SELECT id, revision, {_COPIED}, updated_at FROM status_reports"
    )


def downgrade() -> None:
    op.drop_table("status_report_revisions")
    with op.batch_alter_table("status_reports") as batch:
        batch.drop_column("correction_note")
        batch.drop_column("correction")
