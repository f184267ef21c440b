"""Use cases of scoring models: create one, revise it (a new version; the requests it scores
are rescored with the new weights)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import raise_if_invalid
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository
from pmo_intake.db import scoring_model_repository as repo
from pmo_intake.domain.request_lifecycle import IN_REVIEW
from pmo_intake.domain.scoring import Criterion, ScoringModel, check_criteria
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.new_records import new_updatable_record
from pmo_intake.handlers.problems import found, name_taken
from pmo_intake.handlers.request_scoring import rescored

# Decided requests keep the score they were decided with; returned ones may come back.
_RESCORED = (*IN_REVIEW, "returned")


async def create_model(
    session: AsyncSession, *, name: str, criteria: Sequence[Criterion]
) -> ScoringModel:
    """Add a scoring model at version 1 under a name no other model has."""
    raise_if_invalid(check_criteria(criteria), title="Invalid scoring model")
    async with unit_of_work(session):
        if await repo.name_taken(session, name=name):
            raise name_taken(name)
        model = new_updatable_record(ScoringModel, name=name, criteria=tuple(criteria))
        try:
            await repo.insert_model(session, model=model)
        except IntegrityError as taken:
            # Another request took the name after the check above: the unique index tells.
            raise name_taken(name) from taken
        await record_change(session, "scoring_model.created", model.id, after=model)
    return model


async def revise_model(
    session: AsyncSession, *, model_id: str, name: str, criteria: Sequence[Criterion]
) -> ScoringModel:
    """Store the next version of a model and rescore the requests under review with it."""
    raise_if_invalid(check_criteria(criteria), title="Invalid scoring model")
    async with unit_of_work(session):
        model = found(
            await repo.get_model(session, model_id=model_id, for_update=True),
            "scoring model",
            model_id,
        )
        if await repo.name_taken(session, name=name, other_than=model_id):
            raise name_taken(name)
        revised = replace(
            model,
            name=name,
            criteria=tuple(criteria),
            version=model.version + 1,
            updated_at=datetime.now(UTC),
        )
        await repo.update_model(session, model=revised)
        await record_change(session, "scoring_model.updated", model.id, before=model, after=revised)
        portfolio_ids = await repo.portfolios_using(session, model_id=model_id)
        requests = await request_repository.requests_in_portfolios(
            session, portfolio_ids=portfolio_ids, statuses=_RESCORED
        )
        for request in requests:
            request = await rescored(session, request, model=revised)
            await request_repository.update_request(session, request=request)
    return revised
