"""Portfolio membership: who manages or views which portfolio (ADR 0026). Every existing
portfolio's owner becomes its first portfolio_manager member, and each such membership is
announced (intake.portfolio.member_added, through the outbox) so the other services' views of
the memberships start complete."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from pmo_common.events.catalog import PORTFOLIO_MEMBER_ADDED
from pmo_common.events.envelope import build_event
from pmo_common.events.payloads import PortfolioMembership

revision = "0007"
down_revision = "0006"

_portfolios = sa.table(
    "portfolios",
    sa.column("id", sa.String),
    sa.column("owner", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_outbox = sa.table(
    "outbox_messages",
    sa.column("event_id", sa.String),
    sa.column("topic", sa.String),
    sa.column("message_key", sa.String),
    sa.column("payload", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)
# Who granted the memberships this revision writes: the registry kept no actor for owners.
_GRANTED_BY = "migration 0007"


def upgrade() -> None:
    members = op.create_table(
        "portfolio_members",
        sa.Column("portfolio_id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(320), primary_key=True, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("added_by", sa.String(320), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    _owners_become_managers(members)


def _owners_become_managers(members: sa.Table) -> None:
    connection = op.get_bind()
    owners = connection.execute(sa.select(_portfolios)).all()
    if not owners:
        return
    now = datetime.now(UTC)
    rows = [
        {
            "portfolio_id": row.id,
            "email": row.owner.strip().lower(),
            "role": "portfolio_manager",
            "added_by": _GRANTED_BY,
            "added_at": row.created_at,
        }
        for row in owners
    ]
    op.bulk_insert(members, rows)
    op.bulk_insert(_outbox, [_announcement(row, now) for row in rows])


def _announcement(member: dict[str, object], now: datetime) -> dict[str, object]:
    payload = PortfolioMembership.model_validate(
        {**member, "changed_by": _GRANTED_BY, "changed_at": now}
    )
    event = build_event(
        service="intake",
        event_type=PORTFOLIO_MEMBER_ADDED.type,
        data=payload,
        subject=payload.portfolio_id,
        schema_version=PORTFOLIO_MEMBER_ADDED.version,
    )
    return {
        "event_id": event.id,
        "topic": event.type,
        "message_key": event.subject,
        "payload": event.to_bytes().decode(),
        "created_at": now,
        "attempts": 0,
    }


def downgrade() -> None:
    op.drop_table("portfolio_members")
