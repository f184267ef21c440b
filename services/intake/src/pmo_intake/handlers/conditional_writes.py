"""Writes under If-Match: the record locked, the caller's precondition checked on it, then the
use case, all in one transaction (docs/adr/0027).

The use case runs in the unit of work opened here (its own joins it) and reads the record again
under the lock this transaction already holds, so what it changes is what was checked. A second
writer holding the same ETag waits on the row lock, then sees the first one's change: 412.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pmo_common.db.unit_of_work import unit_of_work
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import (
    change_request_repository,
    portfolio_repository,
    program_repository,
    project_repository,
    scoring_model_repository,
)
from pmo_intake.domain.baselines import ChangeRequest
from pmo_intake.domain.records import Portfolio, Program, Project
from pmo_intake.domain.scoring import ScoringModel
from pmo_intake.handlers.preconditions import Precondition
from pmo_intake.handlers.problems import found
from pmo_intake.handlers.request_moves import locked_request

__all__ = [
    "locked_change_request",
    "locked_portfolio",
    "locked_program",
    "locked_project",
    "locked_request",
    "locked_scoring_model",
    "write_if_matching",
]

R = TypeVar("R")
T = TypeVar("T")

Lock = Callable[[AsyncSession, str], Awaitable[R]]
"""Reads one record `FOR UPDATE` by id (404 when there is none)."""


async def write_if_matching(
    session: AsyncSession,
    *,
    lock: Lock[R],
    record_id: str,
    check: Precondition[R],
    write: Callable[[], Awaitable[T]],
) -> T:
    """Lock the record, check the precondition on it (412), then run `write`, in one
    transaction."""
    async with unit_of_work(session):
        await check(await lock(session, record_id))
        return await write()


async def locked_project(session: AsyncSession, project_id: str) -> Project:
    """The project, locked until the transaction ends (404 when there is none)."""
    project = await project_repository.get_project(session, project_id=project_id, for_update=True)
    return found(project, "project", project_id)


async def locked_change_request(session: AsyncSession, request_id: str) -> ChangeRequest:
    """The change request, locked until the transaction ends (404 when there is none)."""
    request = await change_request_repository.get_change_request(
        session, request_id=request_id, for_update=True
    )
    return found(request, "change request", request_id)


async def locked_portfolio(session: AsyncSession, portfolio_id: str) -> Portfolio:
    """The portfolio, locked until the transaction ends (404 when there is none)."""
    portfolio = await portfolio_repository.get_portfolio(
        session, portfolio_id=portfolio_id, for_update=True
    )
    return found(portfolio, "portfolio", portfolio_id)


async def locked_program(session: AsyncSession, program_id: str) -> Program:
    """The programme, locked until the transaction ends (404 when there is none)."""
    program = await program_repository.get_program(session, program_id=program_id, for_update=True)
    return found(program, "programme", program_id)


async def locked_scoring_model(session: AsyncSession, model_id: str) -> ScoringModel:
    """The scoring model, locked until the transaction ends (404 when there is none)."""
    model = await scoring_model_repository.get_model(session, model_id=model_id, for_update=True)
    return found(model, "scoring model", model_id)
