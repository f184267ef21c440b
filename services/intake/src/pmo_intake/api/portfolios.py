"""Routes of portfolios and programmes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal, require_roles
from pmo_common.auth.principal import Principal
from pmo_common.problems import ProblemException, field_problem
from pmo_common.web import idempotency
from pmo_common.web.app_factory import RuntimeDep, SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page
from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.access import REGISTRY_EDITORS
from pmo_intake.api.schemas import PortfolioCreate, PortfolioOut, ProgramCreate, ProgramOut
from pmo_intake.db import portfolio_repository as repo
from pmo_intake.db.tables import portfolios, programs

router = APIRouter(prefix="/v1", tags=["portfolios"])
Editor = Annotated[Principal, Depends(require_roles(*REGISTRY_EDITORS))]


async def _create(
    session: AsyncSession,
    runtime: RuntimeDep,
    principal: Principal,
    key: str | None,
    table: Table,
    body: BaseModel,
    out: type[BaseModel],
) -> JSONResponse:
    fields = body.model_dump(mode="json")
    request_hash = idempotency.fingerprint(fields, route=f"POST /v1/{table.name}")
    replayed = await idempotency.replay(session, runtime.tables, principal, key, request_hash)
    if replayed is not None:
        return replayed
    if await repo.name_taken(session, table, fields["name"]):
        raise ProblemException(
            409,
            "Name taken",
            f"'{fields['name']}' is already used.",
            errors=[{"field": "body.name", "reason": "already used"}],
        )
    row: dict[str, Any] = {**fields, "id": str(uuid.uuid4()), "created_at": datetime.now(UTC)}
    await repo.insert_row(session, table, row)
    answer = out.model_validate(row).model_dump(mode="json")
    await idempotency.remember(session, runtime.tables, principal, key, request_hash, 201, answer)
    await session.commit()
    return JSONResponse(answer, status_code=201)


@router.post("/portfolios", status_code=201, response_model=PortfolioOut)
async def create_portfolio(
    body: PortfolioCreate,
    principal: Editor,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> JSONResponse:
    """Create a portfolio (PMO admins and portfolio managers)."""
    return await _create(
        session, runtime, principal, idempotency_key, portfolios, body, PortfolioOut
    )


@router.get("/portfolios", response_model=Page[PortfolioOut])
async def list_portfolios(
    _: CurrentPrincipal, session: SessionDep, page: PageDep
) -> Page[PortfolioOut]:
    """All portfolios, by name."""
    rows = await repo.list_rows(session, portfolios, limit=page.limit + 1, offset=page.offset)
    return make_page([PortfolioOut.model_validate(r) for r in rows], page)


@router.post("/programs", status_code=201, response_model=ProgramOut)
async def create_program(
    body: ProgramCreate,
    principal: Editor,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> JSONResponse:
    """Create a programme, optionally within a portfolio."""
    if body.portfolio_id and await repo.get_portfolio(session, body.portfolio_id) is None:
        raise field_problem("body.portfolio_id", "no portfolio with this id exists")
    return await _create(session, runtime, principal, idempotency_key, programs, body, ProgramOut)


@router.get("/programs", response_model=Page[ProgramOut])
async def list_programs(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[ProgramOut]:
    """Programmes, optionally of one portfolio."""
    rows = await repo.list_rows(
        session, programs, limit=page.limit + 1, offset=page.offset, portfolio_id=portfolio_id
    )
    return make_page([ProgramOut.model_validate(r) for r in rows], page)
