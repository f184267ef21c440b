"""The baselines monitoring has heard of, by version (project.created/rebaselined).

Monitoring judges health against the baseline in force and says which version that is:
`monitored_projects.baseline_version`, and per stored health and point of the history the
version it was judged against (`project_health`, `health_snapshots`), so an old point keeps
its version when the baseline changes. `baseline_versions` keeps every version heard of, for
GET /v1/projects/{id}/baseline-variance (ADR 0024).

Projects projected before this revision get their baseline in force as version 1, as intake
numbered its own existing baselines (intake 0005); health stored before it has no version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"

def upgrade() -> None:
    with op.batch_alter_table("monitored_projects") as batch:
        batch.add_column(
            sa.Column("baseline_version", sa.Integer, nullable=False, server_default=sa.text("1"))
        )
    for table in ("project_health", "health_snapshots"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("baseline_version", sa.Integer, nullable=True))
    op.create_table(
        "baseline_versions",
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("budget", sa.Float, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("planned_value_profile", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("changed_by", sa.String(320), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_request_id", sa.String(36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "version"),
    )
    op.execute(
        "INSERT INTO baseline_versions (project_id, version, start_date, end_date, budget, "
        "milestones, planned_value_profile, recorded_at) "
        "SELECT id, 1, start_date, end_date, budget, milestones, planned_value_profile, "
        "projected_at FROM monitored_projects"
    )


def downgrade() -> None:
    op.drop_table("baseline_versions")
    for table in ("health_snapshots", "project_health", "monitored_projects"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("baseline_version")
