"""Portfolio membership as intake announces it (scopes portfolio managers)."""

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
