"""Routes of scoring models: PMO admins write them; portfolio managers and admins read them."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import Admin, Reviewer
from pmo_intake.api.conditional_writes import tagged, with_etag, written_if_matching
from pmo_intake.api.demand_schemas import ScoringModelOut
from pmo_intake.api.schemas import ScoringModelIn
from pmo_intake.handlers import conditional_writes, scoring_model_commands, scoring_model_queries

router = APIRouter(prefix="/v1/scoring-models", tags=["scoring models"])
Reader = Reviewer


@router.post("", status_code=201, response_model=ScoringModelOut)
async def create_model(body: ScoringModelIn, _: Admin, once: OnceDep) -> JSONResponse:
    """Create a scoring model at version 1 (PMO admins)."""

    async def create() -> ScoringModelOut:
        model = await scoring_model_commands.create_model(
            once.session, name=body.name, criteria=body.domain_criteria()
        )
        return ScoringModelOut.model_validate(model)

    created = await once.run(body, create, location=lambda model: f"/v1/scoring-models/{model.id}")
    return tagged(created)


@router.get("")
async def list_models(_: Reader, session: SessionDep, page: PageDep) -> Page[ScoringModelOut]:
    """Every scoring model at its current version, by name."""
    return ScoringModelOut.page_of(
        await scoring_model_queries.list_models(session, page=page), page
    )


@router.get("/{model_id}")
async def read_model(
    model_id: str, _: Reader, session: SessionDep, response: Response
) -> ScoringModelOut:
    """The current version of a scoring model."""
    model = await scoring_model_queries.get_model(session, model_id=model_id)
    return with_etag(response, ScoringModelOut.model_validate(model))


@router.put("/{model_id}")
async def revise_model(
    model_id: str,
    body: ScoringModelIn,
    _: Admin,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> ScoringModelOut:
    """Store the model's next version (PMO admins); the requests under review it scores are
    rescored with it."""
    revise = partial(
        scoring_model_commands.revise_model,
        session,
        model_id=model_id,
        name=body.name,
        criteria=body.domain_criteria(),
    )
    return await written_if_matching(
        session,
        response,
        lock=conditional_writes.locked_scoring_model,
        record_id=model_id,
        if_match_header=if_match_header,
        shown_as=ScoringModelOut,
        write=revise,
    )


@router.get("/{model_id}/versions/{version}")
async def read_model_version(
    model_id: str,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    _: Reader,
    session: SessionDep,
) -> ScoringModelOut:
    """One version of a scoring model, as it was made."""
    return ScoringModelOut.model_validate(
        await scoring_model_queries.get_model_version(session, model_id=model_id, version=version)
    )
