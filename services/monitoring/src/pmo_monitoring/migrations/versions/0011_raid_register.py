"""The RAID register: risks, assumptions, issues, decisions and dependencies."""

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
