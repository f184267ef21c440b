"""Portfolio membership as intake announces it (scopes portfolio managers)."""

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
