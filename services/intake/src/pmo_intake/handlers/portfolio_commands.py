"""Use cases of portfolios: create one (and publish intake.portfolio.created), change one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import PORTFOLIO_CREATED
from pmo_common.events.payloads import PortfolioEvent
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository as repo
from pmo_intake.db import scoring_model_repository
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.portfolio_member_commands import owner_manages
from pmo_intake.handlers.portfolio_queries import get_portfolio
from pmo_intake.handlers.problems import name_taken, refuse_a_taken_name


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
        await record_change(session, "portfolio.created", portfolio.id, after=portfolio)
        created = PortfolioEvent(portfolio_id=portfolio.id, name=name, owner=owner)
        # No project to key it by: the key is the portfolio the event names, as the catalog's
        # key rule says of events without one.
        await outbox.enqueue(session, PORTFOLIO_CREATED, created, subject=portfolio.id)
        await owner_manages(session, portfolio=portfolio)
    return portfolio


async def change_portfolio(
    session: AsyncSession, *, portfolio_id: str, changes: Mapping[str, Any]
) -> Portfolio:
    """Change a portfolio's name (one no other portfolio has), owner, description or scoring
    model (an existing one); 404 when there is no such portfolio."""
    async with unit_of_work(session):
        portfolio = await get_portfolio(session, portfolio_id=portfolio_id)
        if changes.get("scoring_model_id") and not await scoring_model_repository.get_model(
            session, model_id=changes["scoring_model_id"]
        ):
            raise field_problem("body.scoring_model_id", "no scoring model with this id exists")
        await refuse_a_taken_name(
            changes, portfolio.name, lambda name: repo.name_taken(session, name=name)
        )
        changed = replace(portfolio, **changes)
        await repo.update_portfolio(session, portfolio=changed)
        await owner_manages(session, portfolio=changed, before=portfolio)
        await record_change(
            session, "portfolio.updated", portfolio.id, before=portfolio, after=changed
        )
    return changed
