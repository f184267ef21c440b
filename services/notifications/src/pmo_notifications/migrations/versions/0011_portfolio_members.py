"""Portfolio membership as intake announces it (scopes portfolio managers, docs/adr/0026)."""

from pmo_common.portfolios.migration import (
    create_portfolio_members_table,
    drop_portfolio_members_table,
)

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    create_portfolio_members_table()


def downgrade() -> None:
    drop_portfolio_members_table()
