"""Use cases of portfolios: create one (and publish intake.portfolio.created)."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import PORTFOLIO_CREATED
from pmo_common.events.payloads import PortfolioEvent
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository as repo
from pmo_intake.db import scoring_model_repository
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.problems import name_taken


async def create_portfolio(
    session: AsyncSession,
    *,
    name: str,
    owner: str,
    description: str | None,
    scoring_model_id: str | None = None,
) -> Portfolio:
    """Add a portfolio under a name no other portfolio has, scoring with an existing model, and
    tell who manages it (intake.portfolio.created) in the same transaction."""
    async with unit_of_work(session):
        if scoring_model_id and not await scoring_model_repository.get_model(
            session, model_id=scoring_model_id
        ):
            raise field_problem("body.scoring_model_id", "no scoring model with this id exists")
        if await repo.name_taken(session, name=name):
            raise name_taken(name)
        portfolio = new_record(
            Portfolio,
            name=name,
            owner=owner,
            description=description,
            scoring_model_id=scoring_model_id,
        )
        await repo.insert_portfolio(session, portfolio=portfolio)
        created = PortfolioEvent(portfolio_id=portfolio.id, name=name, owner=owner)
        # No project to key it by: the key is the portfolio the event names, as the catalog's
        # key rule says of events without one.
        await outbox.enqueue(session, PORTFOLIO_CREATED, created, subject=portfolio.id)
    return portfolio
