"""Reads and writes of reviewers' scores: one row per request and reviewer."""

from __future__ import annotations

from pmo_common.db.rows import fetch_all, insert_or_replace, values_of
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import request_scores
from pmo_intake.domain.demand_records import ReviewerScores


async def store_scores(session: AsyncSession, *, scores: ReviewerScores) -> None:
    """Record a reviewer's values for a request, replacing any they gave before."""
    row = (request_scores.c.request_id == scores.request_id) & (
        request_scores.c.reviewer == scores.reviewer
    )
    exists = await session.scalar(select(request_scores.c.reviewer).where(row))
    await insert_or_replace(
        session,
        request_scores,
        values_of(scores, criteria=dict(scores.criteria)),
        row=row,
        exists=exists is not None,
    )


async def scores_of(
    session: AsyncSession, *, request_id: str, model_id: str
) -> list[ReviewerScores]:
    """Every reviewer's values for a request under one model (any of its versions)."""
    query = (
        select(request_scores)
        .where(request_scores.c.request_id == request_id, request_scores.c.model_id == model_id)
        .order_by(request_scores.c.reviewer)
    )
    return await fetch_all(session, query, ReviewerScores)
