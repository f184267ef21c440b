"""Routes of the portfolio's review of requests: reviewers score, recommend or return them."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch

from pmo_intake.api.access import RequestReviewer, requester_name
from pmo_intake.api.request_answers import answer_if_matching
from pmo_intake.api.schemas import RequestDecision, RequestDetailOut, RequestReturn, ScoresIn
from pmo_intake.handlers import request_commands, scoring_commands

router = APIRouter(prefix="/v1/requests", tags=["requests"])


@router.put("/{request_id}/scores")
async def score_request(
    request_id: str,
    body: ScoresIn,
    principal: RequestReviewer,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Record the caller's own scores, one value per criterion of the portfolio's scoring model
    (portfolio managers and PMO admins); the first score opens the portfolio's review."""
    score = partial(
        scoring_commands.score_request,
        session,
        request_id=request_id,
        reviewer=requester_name(principal).lower(),
        values=body.criteria,
    )
    return await answer_if_matching(session, response, request_id, if_match_header, score)


@router.post("/{request_id}/recommend")
async def recommend_request(
    request_id: str,
    principal: RequestReviewer,
    session: SessionDep,
    response: Response,
    body: RequestDecision | None = None,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Recommend the request for the PMO's decision (portfolio managers and PMO admins)."""
    recommend = partial(
        request_commands.review_request,
        session,
        request_id=request_id,
        action="recommend",
        actor=requester_name(principal),
        comment=body.comment if body else None,
    )
    return await answer_if_matching(session, response, request_id, if_match_header, recommend)


@router.post("/{request_id}/return")
async def return_request(
    request_id: str,
    body: RequestReturn,
    principal: RequestReviewer,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Return the request to its requester for rework, saying what to change (portfolio
    managers and PMO admins); they may edit it and submit it again."""
    give_back = partial(
        request_commands.review_request,
        session,
        request_id=request_id,
        action="return",
        actor=requester_name(principal),
        comment=body.comment,
    )
    return await answer_if_matching(session, response, request_id, if_match_header, give_back)
