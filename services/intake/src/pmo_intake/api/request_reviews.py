"""Routes of the portfolio's review of requests: reviewers score, recommend or return them."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pmo_common.auth.principal import Principal
from pmo_common.web.app_factory import SessionDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.access import Reviewer, requester_name
from pmo_intake.api.request_answers import answer
from pmo_intake.api.schemas import RequestDecision, RequestDetailOut, RequestReturn, ScoresIn
from pmo_intake.handlers import request_commands, scoring_commands

router = APIRouter(prefix="/v1/requests", tags=["requests"])


@router.put("/{request_id}/scores")
async def score_request(
    request_id: str, body: ScoresIn, principal: Reviewer, session: SessionDep
) -> RequestDetailOut:
    """Record the caller's own scores, one value per criterion of the portfolio's scoring model
    (portfolio managers and PMO admins); the first score opens the portfolio's review."""
    scored = await scoring_commands.score_request(
        session,
        request_id=request_id,
        reviewer=requester_name(principal).lower(),
        values=body.criteria,
    )
    return await answer(session, scored)


@router.post("/{request_id}/recommend")
async def recommend_request(
    request_id: str, principal: Reviewer, session: SessionDep, body: RequestDecision | None = None
) -> RequestDetailOut:
    """Recommend the request for the PMO's decision (portfolio managers and PMO admins)."""
    comment = body.comment if body else None
    return await _review(session, request_id, "recommend", principal, comment)


@router.post("/{request_id}/return")
async def return_request(
    request_id: str, body: RequestReturn, principal: Reviewer, session: SessionDep
) -> RequestDetailOut:
    """Return the request to its requester for rework, saying what to change (portfolio
    managers and PMO admins); they may edit it and submit it again."""
    return await _review(session, request_id, "return", principal, body.comment)


async def _review(
    session: AsyncSession,
    request_id: str,
    action: Literal["recommend", "return"],
    principal: Principal,
    comment: str | None,
) -> RequestDetailOut:
    """Record the caller's verdict on the request at the path and answer about it."""
    reviewed = await request_commands.review_request(
        session,
        request_id=request_id,
        action=action,
        actor=requester_name(principal),
        comment=comment,
    )
    return await answer(session, reviewed)
