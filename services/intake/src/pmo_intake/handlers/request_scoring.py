"""A request's score, worked out again from its reviewers' values whenever what it rests on
changes: a reviewer scores, the model is revised, the request moves to another portfolio."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository, score_repository, scoring_model_repository
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.scoring import ScoringModel, score_request


async def model_of(session: AsyncSession, *, portfolio_id: str | None) -> ScoringModel | None:
    """The scoring model of the portfolio, or None when it has none (or there is no portfolio)."""
    if portfolio_id is None:
        return None
    portfolio = await portfolio_repository.get_portfolio(session, portfolio_id=portfolio_id)
    if portfolio is None or portfolio.scoring_model_id is None:
        return None
    return await scoring_model_repository.get_model(session, model_id=portfolio.scoring_model_id)


async def rescored(
    session: AsyncSession, request: ProjectRequest, *, model: ScoringModel | None = None
) -> ProjectRequest:
    """The request with its score, breakdown and spread worked out from the reviews that fit
    the model (its portfolio's unless given); not stored."""
    model = model or await model_of(session, portfolio_id=request.portfolio_id)
    result = None
    if model is not None:
        reviews = await score_repository.scores_of(
            session, request_id=request.id, model_id=model.id
        )
        result = score_request(model.criteria, [review.criteria for review in reviews])
    if result is None:
        return replace(request, score=None, score_breakdown=(), score_spread=None)
    return replace(
        request, score=result.score, score_breakdown=result.breakdown, score_spread=result.spread
    )
