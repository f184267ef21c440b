"""Use cases of scoring: a reviewer records their own scores for a request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository, score_repository
from pmo_intake.domain.demand_records import ReviewerScores
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.scoring import check_scores
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.problems import found
from pmo_intake.handlers.request_moves import move_request, next_status
from pmo_intake.handlers.request_scoring import model_of, rescored


async def score_request(
    session: AsyncSession, *, request_id: str, reviewer: str, values: Mapping[str, float]
) -> ProjectRequest:
    """Record the reviewer's values (replacing theirs from before) and rescore the request; its
    first score opens the portfolio's review (submitted → portfolio_review)."""
    async with unit_of_work(session):
        request = found(
            await request_repository.get_request(session, request_id=request_id, for_update=True),
            "request",
            request_id,
        )
        next_status("score", request)
        model = await model_of(session, portfolio_id=request.portfolio_id)
        if model is None:
            raise ProblemException(
                409,
                "No scoring model",
                "The request's portfolio names no scoring model (or the request names no "
                "portfolio): give the portfolio a scoring_model_id first.",
            )
        raise_if_invalid(check_scores(model.criteria, values), title="Invalid scores")
        scores = ReviewerScores(
            request_id=request.id,
            reviewer=reviewer,
            model_id=model.id,
            model_version=model.version,
            criteria=dict(values),
            scored_at=datetime.now(UTC),
        )
        await score_repository.store_scores(session, scores=scores)
        scored = await rescored(session, request, model=model)
        if request.status == "submitted":
            return await move_request(
                session,
                request=scored,
                action="score",
                actor=reviewer,
            )
        await request_repository.update_request(session, request=scored)
        await record_change(session, "request.scored", request.id, before=request, after=scored)
    return scored
