"""Escalation of unacknowledged alerts (ADR 0014): escalation policies, each alert's place on
its ladder, and the owners of standards' interventions the `intervention_owner` keyword names.

A default policy ships seeded ("Default": the sponsor after 1 h, the PMO after 4 h more, no
repeat), so an at-risk alert nobody acknowledges reaches someone out of the box; PMO admins may
change it (PUT) or delete it (no default: only portfolios with a policy escalate).
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

_SEEDED_LEVELS = [
    {"after_seconds": 3600, "notify": ["sponsor"]},
    {"after_seconds": 4 * 3600, "notify": ["pmo"]},
]


def upgrade() -> None:
    # Existing alerts start at level 0 with nothing due: only alerts opened from now climb.
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("escalation_policy_id", sa.String(36), nullable=True))
        batch.add_column(
            sa.Column("escalation_level", sa.Integer, nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("escalation_repeats", sa.Integer, nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("next_escalation_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_index("ix_alerts_next_escalation_at", "alerts", ["next_escalation_at"])
    policies = op.create_table(
        "escalation_policies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("portfolio_id", sa.String(64), nullable=True),
        sa.Column("scope", sa.String(64), nullable=False, unique=True),
        sa.Column("levels", sa.JSON, nullable=False),
        sa.Column("repeat", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "intervention_owners",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("intervention_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(320), nullable=True),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        policies,
        [
            {
                "id": str(uuid.uuid4()),
                "name": "Default",
                "portfolio_id": None,
                "scope": "",
                "levels": _SEEDED_LEVELS,
                "repeat": 0,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("intervention_owners")
    op.drop_table("escalation_policies")
    op.drop_index("ix_alerts_next_escalation_at", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("next_escalation_at")
        batch.drop_column("escalation_repeats")
        batch.drop_column("escalation_level")
        batch.drop_column("escalation_policy_id")
