"""Read model of the portfolio roll-up: sums, counts and one page of projects, worst first.

The figures come from counts and sums kept per portfolio, programme and currency as health is
stored (db/rollup_partials), brought up to today by the projects that have missed a report
since; the page comes from the index of each project's figures. Nothing loads every project:
a view's cost follows its page and the number of portfolios and programmes (docs/adr/0012).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import rollup_reads as rollups
from pmo_monitoring.db.stored_metrics import stored_metrics
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS
from pmo_monitoring.domain.portfolio import (
    CurrencyTotals,
    GroupSums,
    PortfolioHealth,
    RagCounts,
    first_day_on_time,
    roll_up_sums,
)
from pmo_monitoring.domain.reasons import rag_rank
from pmo_monitoring.domain.records import Methodology, ReportCutoffs, RollUpScope, reason_records
from pmo_monitoring.handlers.health_assessment import thresholds_from
from pmo_monitoring.languages import spoken_languages

LISTED_METRICS = ("pv", "ev", "ac", "bac", "cpi", "spi", "spi_t", "eac", "vac")
"""The figures each listed project carries (its latest assessment's; null where not computed)."""

GroupBy = Literal["portfolio", "program"]
Pair = tuple[str | None, str | None]
"""(portfolio_id, program_id): the finest grouping the roll-up keeps sums for."""


def report_cutoffs(methodologies: Mapping[str, Methodology], today: date) -> ReportCutoffs:
    """Per methodology (defaults for any other), the day before which a report is missed."""

    def cutoff(methodology: Methodology | None) -> int:
        thresholds = thresholds_from(methodology).thresholds
        return first_day_on_time(today, thresholds).toordinal()

    return ReportCutoffs(
        by_methodology={key: cutoff(found) for key, found in methodologies.items()},
        otherwise=cutoff(None),
    )


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, METRIC_DECIMALS)


def _totals_record(totals: CurrencyTotals) -> dict[str, Any]:
    money = ("ev", "pv", "ac", "bac", "eac", "cv", "sv", "vac", "cpi", "spi")
    return {
        "currency": totals.currency,
        "project_count": totals.project_count,
        **{name: _money(getattr(totals, name)) for name in money},
        "rag": totals.rag,
        "reasons": reason_records(totals.reasons, spoken_languages()),
    }


def roll_up_record(rolled: PortfolioHealth) -> dict[str, Any]:
    """The figures of a roll-up as answered: RAG, counts, the single currency's sums and indices,
    totals."""
    single = rolled.single_currency_totals
    return {
        "rag": rolled.rag,
        "rag_counts": asdict(rolled.rag_counts),
        "project_count": rolled.project_count,
        "reporting_count": rolled.reporting_count,
        "currency": single.currency if single is not None else None,
        **{
            name: _money(getattr(single, name)) if single is not None else None
            for name in ("ev", "pv", "ac", "bac", "eac", "cpi", "spi")
        },
        "totals": [_totals_record(totals) for totals in rolled.totals],
        "reasons": reason_records(rolled.reasons, spoken_languages()),
        "notes": list(rolled.notes),
    }


def _counts_today(
    stored: Iterable[GroupSums], missed: Mapping[Pair, Mapping[str, int]]
) -> dict[Pair, RagCounts]:
    """Each pair's RAG counts as of today: stored RAGs, with missed reports turned amber."""
    counts: dict[Pair, RagCounts] = {}
    for group in stored:
        pair = (group.portfolio_id, group.program_id)
        counts[pair] = counts.get(pair, RagCounts()) + group.rag_counts
    for pair, by_rag in missed.items():
        if pair in counts:  # else it moved away between the two reads
            held = counts[pair]
            counts[pair] = held.with_overdue(
                green=min(by_rag.get("green", 0), held.green),
                unknown=min(by_rag.get("unknown", 0), held.unknown),
            )
    return counts


def _group_records(
    group_by: GroupBy, stored: Iterable[GroupSums], counts: Mapping[Pair, RagCounts]
) -> list[dict[str, Any]]:
    """One roll-up per portfolio or programme (id None: projects outside any), worst first."""
    position = 0 if group_by == "portfolio" else 1
    sums: dict[str | None, list[GroupSums]] = {}
    for group in stored:
        sums.setdefault((group.portfolio_id, group.program_id)[position], []).append(group)
    counted: dict[str | None, RagCounts] = {}
    for pair, pair_counts in counts.items():
        counted[pair[position]] = counted.get(pair[position], RagCounts()) + pair_counts
    records = [
        {
            "group_by": group_by,
            "id": key,
            **roll_up_record(
                roll_up_sums(
                    counted[key],
                    (group.sums for group in groups),
                    portfolio_id=key if group_by == "portfolio" else None,
                )
            ),
        }
        for key, groups in sums.items()
    ]
    records.sort(key=lambda item: (-rag_rank(item["rag"]), item["id"] is None, item["id"] or ""))
    return records


async def _page(
    session: AsyncSession,
    scope: RollUpScope,
    cutoffs: ReportCutoffs,
    counts: RagCounts,
    page: PageRequest,
) -> list[dict[str, Any]]:
    """Up to page.limit + 1 projects from page.offset on, worst RAG first, then by name.

    The counts say how many projects each RAG has, so only the RAGs the page falls in are
    read, each from its own place: skipping 10,000 red projects reads none of them.
    """
    wanted_from, wanted_to = page.offset, page.offset + page.limit + 1
    listed: list[dict[str, Any]] = []
    band_start = 0
    for band, size in rollups.band_sizes(counts):
        band_end = band_start + size
        first, last = max(wanted_from, band_start), min(wanted_to, band_end)
        if first < last:
            found = await rollups.listed_projects(
                session,
                scope=scope,
                cutoffs=cutoffs,
                band=band,
                offset=first - band_start,
                limit=last - first,
            )
            listed.extend(asdict(project) for project in found)
        band_start = band_end
    return await _with_figures(session, listed)


async def _with_figures(
    session: AsyncSession, listed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The listed projects with their stored figures (one read for the page)."""
    figures = await stored_metrics(session, [item["project_id"] for item in listed])
    return [
        {**item, **{name: figures.get(item["project_id"], {}).get(name) for name in LISTED_METRICS}}
        for item in listed
    ]


async def portfolio_health(
    session: AsyncSession,
    *,
    manager: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    include_closed: bool,
    today: date,
    page: PageRequest,
    group_by: GroupBy | None = None,
    or_in_portfolios: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Roll up the stored health of the matching projects; list them worst first, paged.

    `manager` restricts the projects to those one manager runs (None: every project), plus,
    then, those of the portfolios in `or_in_portfolios` (the caller's memberships). Each
    project's RAG is its stored one brought up to today (an overdue report turns it amber),
    so the roll-up agrees with GET /v1/projects/{id}/health without re-assessing every
    project. With `group_by`, `groups` adds one roll-up per portfolio or programme, computed
    the same way (sums, indices from the sums, RAG counts).
    """
    scope = RollUpScope(manager, portfolio_id, program_id, include_closed, or_in_portfolios)
    cutoffs = report_cutoffs(await projections.all_methodologies(session), today)
    stored = await rollups.group_sums(session, scope=scope)
    missed = await rollups.missed_reports(session, scope=scope, cutoffs=cutoffs)
    counts = _counts_today(stored, missed)
    overall = sum(counts.values(), RagCounts())
    rolled = roll_up_sums(overall, (group.sums for group in stored), portfolio_id=portfolio_id)
    return {
        "portfolio_id": portfolio_id,
        "program_id": program_id,
        **roll_up_record(rolled),
        "group_by": group_by,
        "groups": None if group_by is None else _group_records(group_by, stored, counts),
        "projects": await _page(session, scope, cutoffs, overall, page),
    }
