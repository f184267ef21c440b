"""Demand management: scoring models, reviewers' scores, request history, budget envelopes,
scenarios; requests keep their portfolio and score, portfolios name their scoring model."""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

_requests = sa.table(
    "project_requests",
    sa.column("id", sa.String),
    sa.column("proposal", sa.JSON),
    sa.column("portfolio_id", sa.String),
)


# Column shapes of this revision, frozen here (a migration must not change when the tables'
# helpers do): they build the same columns as db/tables.py declares.
def _id(name: str = "id") -> sa.Column[Any]:
    return sa.Column(name, sa.String(36), primary_key=True)


def _reference(name: str, *, nullable: bool = False, index: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(36), nullable=nullable, index=index)


def _email(name: str, *, nullable: bool = False, primary_key: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(320), nullable=nullable, primary_key=primary_key)


def _moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.JSON, nullable=False)


def _required(type_: Any, *names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, type_, nullable=False) for name in names]


def upgrade() -> None:
    with op.batch_alter_table("portfolios") as batch:
        batch.add_column(sa.Column("scoring_model_id", sa.String(36), nullable=True))
    with op.batch_alter_table("project_requests") as batch:
        batch.add_column(sa.Column("portfolio_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("score", sa.Float, nullable=True))
        batch.add_column(sa.Column("score_breakdown", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("score_spread", sa.Float, nullable=True))
        batch.create_index("ix_project_requests_portfolio_id", ["portfolio_id"])
        batch.create_index("ix_project_requests_score", ["score"])
    _copy_portfolios_out_of_proposals()
    op.create_table(
        "request_transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _reference("request_id", index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        _email("actor"),
        sa.Column("comment", sa.Text, nullable=True),
        _moment("at"),
    )
    op.create_table(
        "scoring_models",
        _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        _json("criteria"),
        sa.Column("version", sa.Integer, nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
    )
    op.create_table(
        "scoring_model_versions",
        _id("model_id"),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        _json("criteria"),
        _moment("created_at"),
    )
    op.create_table(
        "request_scores",
        _id("request_id"),
        _email("reviewer", primary_key=True),
        _reference("model_id"),
        sa.Column("model_version", sa.Integer, nullable=False),
        _json("criteria"),
        _moment("scored_at"),
    )
    op.create_table(
        "portfolio_budgets",
        _id("portfolio_id"),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("amount", sa.Float, nullable=False),
        _email("updated_by"),
        _moment("updated_at"),
    )
    op.create_table(
        "scenarios",
        _id(),
        _reference("portfolio_id", index=True),
        sa.Column("budget_cap", sa.Float, nullable=False),
        *_required(
            sa.JSON,
            "capacity",
            "demands",
            "must_include",
            "must_exclude",
            "dependencies",
            "selected",
        ),
        *_required(sa.Float, "total_score", "total_cost", "greedy_score"),
        sa.Column("optimal", sa.Boolean, nullable=False),
        _json("frontier"),
        sa.Column("status", sa.String(20), nullable=False),
        _email("created_by"),
        _moment("created_at"),
        _email("committed_by", nullable=True),
        _moment("committed_at", nullable=True),
    )


def _copy_portfolios_out_of_proposals() -> None:
    # Requests stored before this revision name their portfolio only inside the proposal.
    connection = op.get_bind()
    rows = connection.execute(sa.select(_requests.c.id, _requests.c.proposal)).all()
    for row in rows:
        portfolio_id = (row.proposal or {}).get("portfolio_id")
        if isinstance(portfolio_id, str):
            connection.execute(
                _requests.update().where(_requests.c.id == row.id).values(portfolio_id=portfolio_id)
            )


def downgrade() -> None:
    for table in (
        "scenarios",
        "portfolio_budgets",
        "request_scores",
        "scoring_model_versions",
        "scoring_models",
        "request_transitions",
    ):
        op.drop_table(table)
    with op.batch_alter_table("project_requests") as batch:
        batch.drop_index("ix_project_requests_score")
        batch.drop_index("ix_project_requests_portfolio_id")
        for column in ("score_spread", "score_breakdown", "score", "portfolio_id"):
            batch.drop_column(column)
    with op.batch_alter_table("portfolios") as batch:
        batch.drop_column("scoring_model_id")
