"""Use cases of scenarios: pick the best portfolio a budget can buy, and commit a pick (its
requests go to the PMO's decision, best first).

A scenario is read, solved and stored in three steps: the solve (seconds, up to the report's
deadline) runs in a worker thread between two units of work, never inside a transaction."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import REQUEST_RECOMMENDED, SCENARIO_COMMITTED
from pmo_common.events.payloads import ScenarioCommitted
from pmo_common.problems import ProblemException, field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import budget_repository, request_repository, scenario_repository
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.demand_records import Scenario
from pmo_intake.domain.portfolio_selection import (
    Candidate,
    Dependency,
    InfeasibleSelection,
    SelectionProblem,
    SelectionReport,
    selection_report,
)
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.request_lifecycle import IN_REVIEW
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.budget_commands import ensure_portfolio
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.request_moves import move_request
from pmo_intake.handlers.scenario_queries import get_scenario

MAX_CANDIDATES = 2000
"""The best-scored requests a scenario considers; past this the rest are left out."""
FRONTIER_LEVELS = 10
MAX_CONCURRENT_SOLVES = 2
"""Solves one process runs at once: each holds a worker thread and a core for seconds."""
SOLVE_RETRY_AFTER_SECONDS = 10
# A threading semaphore, not an asyncio one: taken without waiting, from any event loop.
SOLVER_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_SOLVES)


async def solve_scenario(
    session: AsyncSession,
    *,
    portfolio_id: str,
    budget_cap: float | None,
    capacity: Mapping[str, float],
    demands: Mapping[str, Mapping[str, float]],
    must_include: Sequence[str],
    must_exclude: Sequence[str],
    dependencies: Sequence[Dependency],
    actor: str,
) -> Scenario:
    """Solve a scenario over the portfolio's scored requests under review (not stored yet:
    `store_scenario` does); 422 naming the field when no selection meets the constraints, 503
    when the process runs as many solves as it may."""
    _check_demands(demands, capacity)
    # Candidates read in a unit of work of their own: no transaction stays open while solving.
    async with unit_of_work(session):
        await ensure_portfolio(session, portfolio_id=portfolio_id)
        if budget_cap is None:
            budget_cap = await _envelope_left(session, portfolio_id=portfolio_id)
        requests = await request_repository.scored_requests(
            session, portfolio_id=portfolio_id, statuses=IN_REVIEW, limit=MAX_CANDIDATES
        )
    problem = SelectionProblem(
        candidates=tuple(_candidate(request, demands) for request in requests),
        budget_cap=budget_cap,
        capacity=dict(capacity),
        must_include=frozenset(must_include),
        must_exclude=frozenset(must_exclude),
        dependencies=tuple(dependencies),
    )
    report = await _report_of(problem)
    return new_record(
        Scenario,
        portfolio_id=portfolio_id,
        budget_cap=budget_cap,
        capacity=dict(capacity),
        demands={key: dict(amounts) for key, amounts in demands.items()},
        must_include=tuple(must_include),
        must_exclude=tuple(must_exclude),
        dependencies=tuple(dependencies),
        selected=report.best.selected,
        total_score=report.best.total_score,
        total_cost=report.best.total_cost,
        greedy_score=report.greedy.total_score,
        optimal=report.best.optimal,
        frontier=report.frontier,
        created_by=actor,
    )


async def store_scenario(session: AsyncSession, *, scenario: Scenario) -> Scenario:
    """Store a solved scenario."""
    async with unit_of_work(session):
        await scenario_repository.insert_scenario(session, scenario=scenario)
        await record_change(session, "scenario.created", scenario.id, after=scenario)
    return scenario


async def _report_of(problem: SelectionProblem) -> SelectionReport:
    if not SOLVER_SLOTS.acquire(blocking=False):
        raise ProblemException(
            503,
            "Service Unavailable",
            "The service is solving as many scenarios as it can at the moment. Try again shortly.",
            headers={"Retry-After": str(SOLVE_RETRY_AFTER_SECONDS)},
        )
    try:
        # The solver holds the CPU up to the report's deadline: off the event loop.
        return await asyncio.to_thread(selection_report, problem, FRONTIER_LEVELS)
    except InfeasibleSelection as infeasible:
        raise field_problem(f"body.{infeasible.field}", infeasible.reason) from infeasible
    finally:
        SOLVER_SLOTS.release()


async def commit_scenario(
    session: AsyncSession, *, portfolio_id: str, scenario_id: str, actor: str
) -> Scenario:
    """Send the scenario's requests to the PMO's decision in ranked order (409 when it was
    committed already, or when one of its requests has left review since)."""
    async with unit_of_work(session):
        scenario = await get_scenario(
            session, portfolio_id=portfolio_id, scenario_id=scenario_id, for_update=True
        )
        if scenario.status == "committed":
            raise ProblemException(409, "Scenario committed", "This scenario is committed already.")
        comment = f"Selected in scenario {scenario.id}"
        for request_id in scenario.selected:
            request = await _request_still_in_review(session, request_id, scenario.portfolio_id)
            if request.status != "pmo_decision":
                await move_request(
                    session,
                    request=request,
                    action="commit",
                    actor=actor,
                    comment=comment,
                    event=REQUEST_RECOMMENDED,
                )
        committed = replace(
            scenario, status="committed", committed_by=actor, committed_at=datetime.now(UTC)
        )
        await scenario_repository.update_scenario(session, scenario=committed)
        await record_change(
            session, "scenario.committed", scenario.id, before=scenario, after=committed
        )
        payload = ScenarioCommitted(
            scenario_id=scenario.id,
            portfolio_id=portfolio_id,
            selected=list(scenario.selected),
            total_score=scenario.total_score,
            total_cost=scenario.total_cost,
            budget_cap=scenario.budget_cap,
            committed_by=actor,
        )
        await outbox.enqueue(session, SCENARIO_COMMITTED, payload, subject=None)
    return committed


def _check_demands(
    demands: Mapping[str, Mapping[str, float]], capacity: Mapping[str, float]
) -> None:
    # A demand of a category with no cap would constrain nothing: the caller has mistyped it.
    for request_id, amounts in sorted(demands.items()):
        for category in sorted(amounts.keys() - capacity.keys()):
            raise field_problem(
                f"body.demands.{request_id}.{category}", "no capacity is set for this category"
            )


def _candidate(request: ProjectRequest, demands: Mapping[str, Mapping[str, float]]) -> Candidate:
    # The cost of a request is the budget of the project it proposes.
    budget = request.proposal.get("budget")
    cost = float(budget) if isinstance(budget, int | float) else 0.0
    return Candidate(request.id, request.score or 0.0, cost, dict(demands.get(request.id, {})))


async def _envelope_left(session: AsyncSession, *, portfolio_id: str) -> float:
    year = datetime.now(UTC).year
    envelope = await budget_repository.get_envelope(session, portfolio_id=portfolio_id, year=year)
    if envelope is None:
        raise field_problem(
            "body.budget_cap",
            f"is required: the portfolio has no budget envelope for {year} to take it from",
        )
    return max(envelope.remaining, 0.0)


async def _request_still_in_review(
    session: AsyncSession, request_id: str, portfolio_id: str
) -> ProjectRequest:
    # A request may have been returned, moved to another portfolio and resubmitted since the
    # scenario was solved: under review again, but no longer this portfolio's to commit.
    request = await request_repository.get_request(session, request_id=request_id, for_update=True)
    if request is None or request.status not in IN_REVIEW:
        state = "gone" if request is None else request.status
        raise _out_of_date(f"Request {request_id} is {state} now, no longer under review")
    if request.portfolio_id != portfolio_id:
        raise _out_of_date(f"Request {request_id} has moved to another portfolio")
    return request


def _out_of_date(why: str) -> ProblemException:
    return ProblemException(
        409, "Scenario out of date", f"the scenario is out of date: {why}; run a new scenario."
    )
