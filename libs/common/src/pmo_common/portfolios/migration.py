"""The migration operations creating (and dropping) a service's portfolio_members table."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pmo_common.db.columns import CODE_LENGTH, EMAIL_LENGTH
from pmo_common.portfolios.members import PORTFOLIO_ID_LENGTH, TABLE_NAME


def create_portfolio_members_table() -> None:
    """Create portfolio_members (see pmo_common.portfolios.members.portfolio_members_table)."""
    op.create_table(
        TABLE_NAME,
        sa.Column("portfolio_id", sa.String(PORTFOLIO_ID_LENGTH), nullable=False),
        sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("role", sa.String(CODE_LENGTH), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("portfolio_id", "email"),
    )
    op.create_index(f"ix_{TABLE_NAME}_email", TABLE_NAME, ["email"])


def drop_portfolio_members_table() -> None:
    """Drop portfolio_members."""
    op.drop_index(f"ix_{TABLE_NAME}_email", table_name=TABLE_NAME)
    op.drop_table(TABLE_NAME)
