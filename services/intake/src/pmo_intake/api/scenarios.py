"""Routes of scenarios: the best selection of a portfolio's scored requests under a budget and
capacity caps, stored, and committed to send its requests to the PMO's decision."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import PortfolioReviewer, requester_name
from pmo_intake.api.demand_schemas import ScenarioOut
from pmo_intake.api.schemas import ScenarioIn
from pmo_intake.handlers import scenario_commands, scenario_queries

router = APIRouter(prefix="/v1/portfolios/{portfolio_id}/scenarios", tags=["scenarios"])


@router.post("", status_code=201, response_model=ScenarioOut)
async def create_scenario(
    portfolio_id: str, body: ScenarioIn, principal: PortfolioReviewer, once: OnceDep
) -> JSONResponse:
    """Select the requests of greatest total score within the caps (solved exactly), beside a
    greedy pick and the efficient frontier; 422 naming the field when nothing can satisfy the
    constraints, 503 with Retry-After while the service runs as many solves as it may (PMO
    admins and portfolio managers)."""

    # Solved before the idempotency helper's unit of work opens: no transaction is held while
    # the solver runs. A retry with the same key gets the stored answer without a new solve.
    retried = await once.stored_answer(body)
    if retried is not None:
        return retried
    solved = await scenario_commands.solve_scenario(
        once.session,
        portfolio_id=portfolio_id,
        **body.model_dump(exclude={"dependencies"}),
        dependencies=body.requirements(),
        actor=requester_name(principal),
    )

    async def store() -> ScenarioOut:
        stored = await scenario_commands.store_scenario(once.session, scenario=solved)
        return ScenarioOut.model_validate(stored)

    return await once.run(
        body,
        store,
        location=lambda scenario: f"/v1/portfolios/{portfolio_id}/scenarios/{scenario.id}",
    )


@router.get("")
async def list_scenarios(
    portfolio_id: str, _: PortfolioReviewer, session: SessionDep, page: PageDep
) -> Page[ScenarioOut]:
    """The portfolio's scenarios, newest first."""
    scenarios = await scenario_queries.list_scenarios(session, portfolio_id=portfolio_id, page=page)
    return ScenarioOut.page_of(scenarios, page)


@router.get("/{scenario_id}")
async def read_scenario(
    portfolio_id: str, scenario_id: str, _: PortfolioReviewer, session: SessionDep
) -> ScenarioOut:
    """One scenario of the portfolio."""
    scenario = await scenario_queries.get_scenario(
        session, portfolio_id=portfolio_id, scenario_id=scenario_id
    )
    return ScenarioOut.model_validate(scenario)


@router.post("/{scenario_id}/commit")
async def commit_scenario(
    portfolio_id: str, scenario_id: str, principal: PortfolioReviewer, session: SessionDep
) -> ScenarioOut:
    """Send the scenario's requests to the PMO's decision, best score first, and publish
    intake.scenario.committed (409 when committed already or out of date)."""
    scenario = await scenario_commands.commit_scenario(
        session,
        portfolio_id=portfolio_id,
        scenario_id=scenario_id,
        actor=requester_name(principal),
    )
    return ScenarioOut.model_validate(scenario)
