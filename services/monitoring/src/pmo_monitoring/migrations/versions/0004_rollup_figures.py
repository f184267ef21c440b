"""Incremental portfolio roll-ups: each project's current figures in one narrow row
(project_figures) and their counts and sums per portfolio, programme, currency, closed state
and bucket (rollup_partials), both filled here from the projection and the stored health so
that an upgraded database answers GET /v1/portfolio/health as before (docs/adr/0012).

Self-contained on purpose: the row values are computed here as the code computed them at
this revision (casefolded names, crc32 buckets, day numbers), not by importing the service.
"""

import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

BUCKETS = 16
MONEY = ("ev", "pv", "ac", "bac", "eac")
COUNTS = (
    "project_count",
    "green",
    "amber",
    "red",
    "unknown",
    "reporting_count",
    "eac_unknown_count",
)
NAME_KEY = sa.String(800).with_variant(sa.String(800, collation="C"), "postgresql")
CHUNK = 1000


def upgrade() -> None:
    figures = op.create_table(
        "project_figures",
        sa.Column("project_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", NAME_KEY, nullable=False),
        sa.Column("manager", sa.String(320), nullable=False),
        sa.Column("manager_key", sa.String(320), nullable=False),
        sa.Column("methodology", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("portfolio_id", sa.String(36), nullable=True),
        sa.Column("program_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("bucket", sa.SmallInteger, nullable=False),
        sa.Column("rag", sa.String(10), nullable=False),
        sa.Column("last_report_at", sa.Date, nullable=True),
        sa.Column("start_day", sa.Integer, nullable=False),
        sa.Column("reference_day", sa.Integer, nullable=False),
        sa.Column("reporting", sa.Boolean, nullable=False),
        *(sa.Column(name, sa.Float, nullable=True) for name in MONEY),
    )
    op.create_index("ix_project_figures_manager_key", "project_figures", ["manager_key"])
    op.create_index("ix_project_figures_program_id", "project_figures", ["program_id"])
    op.create_index(
        "ix_project_figures_partial",
        "project_figures",
        ["portfolio_id", "program_id", "currency", "closed", "bucket"],
    )
    op.create_index(
        "ix_project_figures_listing",
        "project_figures",
        ["closed", "rag", "name_key", "name", "project_id"],
    )
    op.create_index(
        "ix_project_figures_reference", "project_figures", ["closed", "rag", "reference_day"]
    )
    op.create_table(
        "rollup_partials",
        sa.Column("portfolio_key", sa.String(36), nullable=False),
        sa.Column("program_key", sa.String(36), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("bucket", sa.SmallInteger, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
        *(sa.Column(name, sa.Float, nullable=False) for name in MONEY),
        sa.PrimaryKeyConstraint("portfolio_key", "program_key", "currency", "closed", "bucket"),
    )
    connection = op.get_bind()
    for chunk in _chunks(_figures_rows(connection)):
        connection.execute(figures.insert(), chunk)
    connection.execute(sa.text(_PARTIALS_FROM_FIGURES))


def _figures_rows(connection: sa.Connection) -> Iterator[dict[str, Any]]:
    projects = sa.table(
        "monitored_projects",
        *(sa.column(name) for name in ("id", "name", "manager", "methodology", "currency")),
        *(sa.column(name) for name in ("portfolio_id", "program_id", "status")),
        sa.column("start_date", sa.Date),
    )
    healths = sa.table(
        "project_health",
        sa.column("project_id"),
        sa.column("rag"),
        sa.column("metrics", sa.JSON),
        sa.column("last_report_at", sa.Date),
    )
    query = (
        sa.select(projects, healths.c.rag, healths.c.metrics, healths.c.last_report_at)
        .select_from(projects.outerjoin(healths, healths.c.project_id == projects.c.id))
        .order_by(projects.c.id)
    )
    for row in connection.execute(query).mappings():
        yield _figures_row(row)


def _figures_row(row: Mapping[str, Any]) -> dict[str, Any]:
    metrics = row["metrics"] or {}
    money = {name: metrics.get(name) for name in MONEY}
    start_day = row["start_date"].toordinal()
    last_report_at = row["last_report_at"]
    return {
        "project_id": row["id"],
        "name": row["name"],
        "name_key": row["name"].casefold(),
        "manager": row["manager"],
        "manager_key": row["manager"].lower(),
        "methodology": row["methodology"],
        "currency": row["currency"],
        "portfolio_id": row["portfolio_id"],
        "program_id": row["program_id"],
        "status": row["status"],
        "closed": row["status"] == "closed",
        "bucket": zlib.crc32(row["id"].encode()) % BUCKETS,
        "rag": row["rag"] or "unknown",
        "last_report_at": last_report_at,
        "start_day": start_day,
        "reference_day": last_report_at.toordinal() if last_report_at else start_day,
        "reporting": all(money[name] is not None for name in ("ev", "pv", "ac", "bac")),
        **money,
    }


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _counted(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _summed(value: str) -> str:
    return f"COALESCE(SUM(CASE WHEN reporting THEN {value} END), 0.0)"


# Built from this module's own constants only; nothing outside reaches the text.
_PARTIALS_FROM_FIGURES = f"""
INSERT INTO rollup_partials (portfolio_key, program_key, currency, closed, bucket,
    {", ".join(COUNTS)}, {", ".join(MONEY)})
SELECT COALESCE(portfolio_id, ''), COALESCE(program_id, ''), currency, closed, bucket,
    COUNT(*),
    {_counted("rag = 'green'")}, {_counted("rag = 'amber'")}, {_counted("rag = 'red'")},
    {_counted("rag NOT IN ('green', 'amber', 'red')")},
    {_counted("reporting")}, {_counted("reporting AND eac IS NULL")},
    {_summed("ev")}, {_summed("pv")}, {_summed("ac")}, {_summed("bac")},
    {_summed("COALESCE(eac, bac)")}
FROM project_figures
GROUP BY COALESCE(portfolio_id, ''), COALESCE(program_id, ''), currency, closed, bucket
"""  # noqa: S608


def downgrade() -> None:
    op.drop_table("rollup_partials")
    op.drop_table("project_figures")
