"""The baselines monitoring has heard of, by version (project.created/rebaselined)."""

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
