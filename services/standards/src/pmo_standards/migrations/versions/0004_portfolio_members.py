"""Portfolio membership as intake announces it (scopes portfolio managers, docs/adr/0026), and
the portfolio of each projected project (projects.portfolio_id).
"""

import sqlalchemy as sa
from alembic import op
from pmo_common.portfolios.migration import (
    create_portfolio_members_table,
    drop_portfolio_members_table,
)

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_portfolio_members_table()
    # Known from the next project.created/updated of each project; NULL until then.
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("portfolio_id", sa.String(64), nullable=True))
        batch.create_index("ix_projects_portfolio_id", ["portfolio_id"])


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_portfolio_id")
        batch.drop_column("portfolio_id")
    drop_portfolio_members_table()
