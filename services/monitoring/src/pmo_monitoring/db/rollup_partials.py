"""rollup_partials: counts and sums of project_figures per portfolio, programme, currency,
closed or not and bucket, refreshed from those rows in the transaction that changed them.

A write of project_figures names the partials it changed (`mark_changed`); just before the
session commits, each of them is recomputed from its project_figures rows, in key order. Why
recompute instead of adding deltas, and why at commit (docs/adr/0012):

- Recomputing cannot drift: floating-point deltas added and taken away leave rounding errors
  that pile up, and a delta recorded by work that a savepoint later rolled back would stay.
  Naming a partial that did not change costs a refresh, never a wrong figure.
- Locking partials only at commit, in one order, cannot deadlock: a transaction that applies
  a batch of events holds no partial while it waits for a project's row, and two
  transactions take the partials they share in the same order.
- On PostgreSQL the row is locked before it is recomputed, and the recomputation is a new
  statement, so it sees every transaction that refreshed the row before (READ COMMITTED
  takes a snapshot per statement). SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Insert,
    Label,
    Result,
    Select,
    SmallInteger,
    String,
    Update,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.types import TypeEngine

from pmo_monitoring.db.tables import (
    ROLLED_UP_COUNTS,
    ROLLED_UP_FIGURES,
    ROLLED_UP_MONEY,
    project_figures,
    rollup_partials,
)

_CHANGED = "pmo_monitoring.rollup_partials.changed"
KEY_NAMES = ("portfolio_key", "program_key", "currency", "closed", "bucket")


@dataclass(frozen=True, order=True, slots=True)
class PartialKey:
    """Which rollup_partials row a project's figures are counted in ("" = outside any)."""

    portfolio_key: str
    program_key: str
    currency: str
    closed: bool
    bucket: int

    @classmethod
    def of(
        cls,
        portfolio_id: str | None,
        program_id: str | None,
        currency: str,
        closed: bool,
        bucket: int,
    ) -> PartialKey:
        """The key of a project in these groups."""
        return cls(portfolio_id or "", program_id or "", currency, bool(closed), int(bucket))

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> PartialKey:
        """The key of a project_figures row (or its values)."""
        return cls.of(
            row["portfolio_id"], row["program_id"], row["currency"], row["closed"], row["bucket"]
        )


def mark_changed(session: AsyncSession, keys: Iterable[PartialKey]) -> None:
    """Have these partials recomputed before the session's transaction commits."""
    session.sync_session.info.setdefault(_CHANGED, set()).update(keys)


def partial_sums() -> list[Label[Any]]:
    """What a set of project_figures rows adds up to, as aggregates named like the partials."""
    figures = project_figures.c

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rags = {rag: counted(figures.rag == rag) for rag in ("green", "amber", "red")}
    return [
        func.count().label("project_count"),
        *(expression.label(rag) for rag, expression in rags.items()),
        counted(figures.rag.not_in(tuple(rags))).label("unknown"),
        counted(figures.reporting).label("reporting_count"),
        counted(and_(figures.reporting, figures.eac.is_(None))).label("eac_unknown_count"),
        *(
            func.coalesce(func.sum(case((figures.reporting, money), else_=None)), 0.0).label(name)
            for name, money in (
                *((name, figures[name]) for name in ROLLED_UP_MONEY if name != "eac"),
                # A reporting project whose EAC is unknown counts at its budget.
                ("eac", func.coalesce(figures.eac, figures.bac)),
            )
        ),
    ]


# The key of the partial refreshed, bound at execution (names apart from the columns).
_KEY_TYPES: dict[str, TypeEngine[Any]] = {
    "portfolio_key": String(36),
    "program_key": String(36),
    "currency": String(3),
    "closed": Boolean(),
    "bucket": SmallInteger(),
}
_KEY_PARAMS: dict[str, BindParameter[Any]] = {
    name: bindparam(f"partial_{name}", type_=kind) for name, kind in _KEY_TYPES.items()
}


def _equals_or_none(column: ColumnElement[Any], key: str, outside: bool) -> ColumnElement[bool]:
    # `IS NULL` / `=` rather than IS NOT DISTINCT FROM, which PostgreSQL cannot use an index for.
    return column.is_(None) if outside else column == _KEY_PARAMS[key]


def _recomputed(outside_portfolio: bool, outside_program: bool) -> Select[Any]:
    """The partial's key and sums: one row whatever the rows (an aggregate, no GROUP BY)."""
    figures = project_figures.c
    keyed = (_KEY_PARAMS[name].label(name) for name in KEY_NAMES)
    return select(*keyed, *partial_sums()).where(
        _equals_or_none(figures.portfolio_id, "portfolio_key", outside_portfolio),
        _equals_or_none(figures.program_id, "program_key", outside_program),
        figures.currency == _KEY_PARAMS["currency"],
        figures.closed == _KEY_PARAMS["closed"],
        figures.bucket == _KEY_PARAMS["bucket"],
    )


@dataclass(frozen=True, slots=True)
class _Refresh:
    """The statements refreshing the partials of one shape of key, built once."""

    update: Update
    insert: Insert

    @classmethod
    def of(cls, outside_portfolio: bool, outside_program: bool) -> _Refresh:
        recomputed = _recomputed(outside_portfolio, outside_program)
        sums = recomputed.subquery()
        names = [str(column.key) for column in recomputed.selected_columns]
        return cls(
            update=update(rollup_partials)
            # Joined to the sums by the key, so the UPDATE ... FROM reads as the join it is.
            .where(*(rollup_partials.c[name] == sums.c[name] for name in KEY_NAMES))
            .values({name: sums.c[name] for name in ROLLED_UP_FIGURES}),
            insert=insert(rollup_partials).from_select(names, recomputed),
        )


# One per combination of "outside any portfolio" and "outside any programme": the SQL differs.
_REFRESHES = {
    (portfolio, program): _Refresh.of(portfolio, program)
    for portfolio in (False, True)
    for program in (False, True)
}
# DO UPDATE (of nothing) locks the row, so the recomputation after it waits for any other
# transaction refreshing it, and then sees what that one committed.
_LOCK_ON_POSTGRESQL = postgresql_insert(rollup_partials).on_conflict_do_update(
    index_elements=[rollup_partials.c[name] for name in KEY_NAMES],
    set_={"project_count": rollup_partials.c.project_count},
)
_EMPTY = {**dict.fromkeys(ROLLED_UP_COUNTS, 0), **dict.fromkeys(ROLLED_UP_MONEY, 0.0)}


def _refresh(session: Session, key: PartialKey) -> None:
    """Recompute one partial from its project_figures rows (on PostgreSQL, locked first)."""
    values = {name: getattr(key, name) for name in KEY_NAMES}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_ON_POSTGRESQL, {**values, **_EMPTY})
    refresh = _REFRESHES[key.portfolio_key == "", key.program_key == ""]
    bound = {f"partial_{name}": value for name, value in values.items()}
    if _rowcount(session.execute(refresh.update, bound)) == 0:
        # A new partial (SQLite: its one writer is this transaction).
        session.execute(refresh.insert, bound)


def _rowcount(result: Result[Any]) -> int:
    return int(getattr(result, "rowcount", 0))


@event.listens_for(Session, "before_commit")
def _refresh_changed_partials(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: the outermost commit refreshes
    changed: set[PartialKey] | None = session.info.pop(_CHANGED, None)
    for key in sorted(changed or ()):
        _refresh(session, key)


@event.listens_for(Session, "after_transaction_end")
def _forget_changed_partials(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (refreshed already) or rolled back
        session.info.pop(_CHANGED, None)


def sums_by_partial_key() -> Select[Any]:
    """Every partial recomputed from scratch from project_figures (rebuilds and checks)."""
    figures = project_figures.c
    keys = (
        func.coalesce(figures.portfolio_id, "").label("portfolio_key"),
        func.coalesce(figures.program_id, "").label("program_key"),
        figures.currency,
        figures.closed,
        figures.bucket,
    )
    return select(*keys, *partial_sums()).group_by(*keys)


async def rebuild_partials(session: AsyncSession) -> None:
    """Recompute every partial from project_figures (after rows were written in bulk)."""
    await session.execute(delete(rollup_partials))
    sums = sums_by_partial_key()
    names = [str(column.key) for column in sums.selected_columns]
    await session.execute(insert(rollup_partials).from_select(names, sums))
