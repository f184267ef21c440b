"""The reasons each stored health replaced (project_health.previous_reasons), so that the upsert
storing an assessment also answers which early warnings the health before it showed: the
difference starts and ends early-warning episodes without a read.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # Null on the rows stored before it; their next assessment fills it from their reasons, so
    # a warning a project shows at the upgrade counts as under way (the health events already
    # carried it as a reason) and publishes project.early_warning only from its next episode.
    with op.batch_alter_table("project_health") as batch:
        batch.add_column(sa.Column("previous_reasons", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project_health") as batch:
        batch.drop_column("previous_reasons")
