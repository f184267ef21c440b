"""Reads the portfolio page adds to the roll-up (GET /v1/portfolio/health's own handler).

For the page's projects only: their timelines (stored signals, start, colour a week ago); the
methodologies that judge a missed report; the portfolios and programmes the filters offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import rollup_reads as rollups
from pmo_monitoring.db.projection_repository import all_methodologies
from pmo_monitoring.db.timeline_reads import project_timelines
from pmo_monitoring.domain.project_timeline import ProjectTimeline
from pmo_monitoring.domain.records import RollUpScope

__all__ = [
    "GroupChoices",
    "ProjectTimeline",
    "all_methodologies",
    "group_choices",
    "project_timelines",
]


@dataclass(frozen=True, slots=True)
class GroupChoices:
    """The portfolios and programmes of a caller's open projects, sorted by id."""

    portfolios: tuple[str, ...]
    programs: tuple[str, ...]


async def group_choices(
    session: AsyncSession, *, manager: str | None, or_in_portfolios: frozenset[str] = frozenset()
) -> GroupChoices:
    """The choices come from the roll-up's own groups of the caller's open projects."""
    scope = RollUpScope(manager, None, None, False, or_in_portfolios)
    groups = await rollups.group_sums(session, scope=scope)
    return GroupChoices(
        portfolios=tuple(sorted({g.portfolio_id for g in groups if g.portfolio_id is not None})),
        programs=tuple(sorted({g.program_id for g in groups if g.program_id is not None})),
    )
