"""Reads of the portfolio roll-up: sums from rollup_partials, pages from project_figures.

Nothing here reads every project: the sums come from the partials (one row per portfolio,
programme, currency, closed state and bucket), the projects that missed a report from an
index range of reference days, and a page of the listing from index ranges ordered by name.
A manager's own roll-up sums that manager's rows (indexed by manager), with those of the
portfolios they are a member of, instead of partials.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    case,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.rollup_partials import partial_sums
from pmo_monitoring.db.tables import (
    ROLLED_UP_FIGURES,
    ROLLED_UP_MONEY,
    STORED_RAGS,
    project_figures,
    rollup_partials,
)
from pmo_monitoring.domain.model import Rag
from pmo_monitoring.domain.portfolio import CurrencySums, GroupSums, RagCounts
from pmo_monitoring.domain.records import ReportCutoffs, RolledUpProject, RollUpScope

_FIGURES = project_figures.c
_PARTIALS = rollup_partials.c


def _scope_of_figures(scope: RollUpScope) -> list[ColumnElement[bool]]:
    conditions = _owned_by(scope)
    if not scope.include_closed:
        conditions.append(_FIGURES.closed == false())
    return conditions


def _owned_by(scope: RollUpScope) -> list[ColumnElement[bool]]:
    """The scope's manager, portfolio and programme (closed or not is the caller's)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.manager is not None:
        conditions.append(_owned_or_member(scope.manager, scope.or_in_portfolios))
    if scope.portfolio_id is not None:
        conditions.append(_FIGURES.portfolio_id == scope.portfolio_id)
    if scope.program_id is not None:
        conditions.append(_FIGURES.program_id == scope.program_id)
    return conditions


def _owned_or_member(manager: str, portfolios: frozenset[str]) -> ColumnElement[bool]:
    """The manager's own projects, and those of the portfolios the caller is a member of."""
    own = _FIGURES.manager_key == manager.lower()
    return or_(own, _FIGURES.portfolio_id.in_(sorted(portfolios))) if portfolios else own


def _key_is(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    # "" is the partials' key for "outside any"; a filter for "" matches no project.
    return column == value if value else false()


def _scope_of_partials(scope: RollUpScope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if scope.portfolio_id is not None:
        conditions.append(_key_is(_PARTIALS.portfolio_key, scope.portfolio_id))
    if scope.program_id is not None:
        conditions.append(_key_is(_PARTIALS.program_key, scope.program_id))
    if not scope.include_closed:
        conditions.append(_PARTIALS.closed == false())
    return conditions


def _sums_query(scope: RollUpScope) -> Select[Any]:
    if scope.manager is not None:
        keys = (
            func.coalesce(_FIGURES.portfolio_id, "").label("portfolio_key"),
            func.coalesce(_FIGURES.program_id, "").label("program_key"),
            _FIGURES.currency,
        )
        return select(*keys, *partial_sums()).where(*_scope_of_figures(scope)).group_by(*keys)
    partial_keys = (_PARTIALS.portfolio_key, _PARTIALS.program_key, _PARTIALS.currency)
    added = (func.sum(_PARTIALS[name]).label(name) for name in ROLLED_UP_FIGURES)
    return (
        select(*partial_keys, *added)
        .where(*_scope_of_partials(scope))
        .group_by(*partial_keys)
        .having(func.sum(_PARTIALS.project_count) > 0)
    )


def _group_sums(row: RowMapping) -> GroupSums:
    return GroupSums(
        portfolio_id=row["portfolio_key"] or None,
        program_id=row["program_key"] or None,
        rag_counts=RagCounts(**{rag: int(row[rag]) for rag in STORED_RAGS}),
        sums=CurrencySums(
            currency=row["currency"],
            project_count=int(row["reporting_count"]),
            **{name: float(row[name]) for name in ROLLED_UP_MONEY},
            eac_unknown_count=int(row["eac_unknown_count"]),
        ),
    )


async def group_sums(session: AsyncSession, *, scope: RollUpScope) -> list[GroupSums]:
    """Stored-RAG counts and sums of the scope, per portfolio, programme and currency."""
    rows = (await session.execute(_sums_query(scope))).mappings()
    return [_group_sums(row) for row in rows if row["project_count"]]


def _missed_report(cutoffs: ReportCutoffs) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(missed a report, on time) for an open project, by its methodology's cutoff."""
    cutoff: ColumnElement[int] | int = (
        case(cutoffs.by_methodology, value=_FIGURES.methodology, else_=cutoffs.otherwise)
        if cutoffs.by_methodology
        else cutoffs.otherwise
    )
    # The bound by the latest cutoff is implied; it gives the index a range to read.
    missed = (_FIGURES.reference_day < cutoffs.latest) & (_FIGURES.reference_day < cutoff)
    return missed, _FIGURES.reference_day >= cutoff


async def missed_reports(
    session: AsyncSession, *, scope: RollUpScope, cutoffs: ReportCutoffs
) -> dict[tuple[str | None, str | None], dict[str, int]]:
    """Open green or unknown projects that missed a report today (amber now), counted per
    (portfolio_id, program_id) and stored RAG."""
    missed, _on_time = _missed_report(cutoffs)
    keys = (_FIGURES.portfolio_id, _FIGURES.program_id, _FIGURES.rag)
    query = (
        select(*keys, func.count().label("projects"))
        .where(
            *_owned_by(scope),
            _FIGURES.closed == false(),
            _FIGURES.rag.in_(("green", "unknown")),
            missed,
        )
        .group_by(*keys)
    )
    counted: dict[tuple[str | None, str | None], dict[str, int]] = {}
    for row in (await session.execute(query)).mappings():
        group = counted.setdefault((row["portfolio_id"], row["program_id"]), {})
        group[row["rag"]] = int(row["projects"])
    return counted


_LISTED = (
    _FIGURES.project_id,
    _FIGURES.name,
    _FIGURES.manager,
    _FIGURES.portfolio_id,
    _FIGURES.program_id,
    _FIGURES.status,
    _FIGURES.currency,
    _FIGURES.last_report_at,
    _FIGURES.name_key,
)


def _streams(band: Rag, scope: RollUpScope, cutoffs: ReportCutoffs) -> list[list[Any]]:
    """The index ranges whose rows make up one RAG of the listing (as of today).

    Open projects: a missed report turns green and unknown amber. Closed ones keep their
    stored RAG (they are not expected to report).
    """
    missed, on_time = _missed_report(cutoffs)
    is_open = _FIGURES.closed == false()

    def stored(rag: str) -> ColumnElement[bool]:
        return _FIGURES.rag == rag

    open_streams: dict[str, list[list[Any]]] = {
        "red": [[is_open, stored("red")]],
        "amber": [
            [is_open, stored("amber")],
            [is_open, stored("green"), missed],
            [is_open, stored("unknown"), missed],
        ],
        "green": [[is_open, stored("green"), on_time]],
        "unknown": [[is_open, stored("unknown"), on_time]],
    }
    streams = open_streams[band]
    if scope.include_closed:
        streams = [*streams, [_FIGURES.closed == true(), stored(band)]]
    return streams


def _ordered(query: Select[Any], columns: Any) -> Select[Any]:
    # Casefolded name first (the listing's order), then the name and the id break ties.
    return query.order_by(columns.name_key, columns.name, columns.project_id)


async def listed_projects(
    session: AsyncSession,
    *,
    scope: RollUpScope,
    cutoffs: ReportCutoffs,
    band: Rag,
    offset: int,
    limit: int,
) -> list[RolledUpProject]:
    """Projects of one RAG (as of today) by name, `limit` of them after skipping `offset`.

    Each stream is one ordered index range; several are merged by name (PostgreSQL merges
    the ordered ranges, reading no more than offset + limit rows of each).
    """
    scoped = _owned_by(scope)  # each stream says closed or not
    parts = [
        _ordered(select(*_LISTED).where(*scoped, *stream), _FIGURES).limit(offset + limit)
        for stream in _streams(band, scope, cutoffs)
    ]
    if len(parts) == 1:
        query = parts[0].limit(limit).offset(offset)
    else:
        merged = union_all(*(select(part.subquery()) for part in parts)).subquery()
        query = _ordered(select(merged), merged.c).limit(limit).offset(offset)
    rows = (await session.execute(query)).mappings()
    return [_listed(row, band) for row in rows]


def _listed(row: RowMapping, rag: Rag) -> RolledUpProject:
    return RolledUpProject(
        **{column.name: row[column.name] for column in _LISTED if column.name != "name_key"},
        rag=rag,
    )


def band_sizes(counts: RagCounts) -> Sequence[tuple[Rag, int]]:
    """The listing's RAGs in order, worst first, with how many projects each has."""
    return (
        ("red", counts.red),
        ("amber", counts.amber),
        ("green", counts.green),
        ("unknown", counts.unknown),
    )
