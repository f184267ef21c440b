"""Portfolio selection as plain functions: the optimum against brute force, greedy, the frontier
and every conflict told in plain words."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pmo_intake.domain import portfolio_selection
from pmo_intake.domain.portfolio_selection import (
    Candidate,
    Dependency,
    InfeasibleSelection,
    Selection,
    SelectionProblem,
    efficient_frontier,
    greedy_selection,
    select_portfolio,
    selection_report,
)

Solver = Callable[[SelectionProblem], Selection]
BOTH_SOLVERS = pytest.mark.parametrize("solve", [select_portfolio, greedy_selection])


def feasible(problem: SelectionProblem, chosen: Iterable[str], budget: float) -> bool:
    """Whether a set of ids keeps every limit of the problem at `budget`, checked directly."""
    ids = set(chosen)
    by_id = {c.id: c for c in problem.candidates}
    if sum(by_id[i].cost for i in ids) > budget:
        return False
    for name, cap in problem.capacity.items():
        if sum(by_id[i].demands.get(name, 0.0) for i in ids) > cap:
            return False
    if not problem.must_include <= ids or ids & problem.must_exclude:
        return False
    return all(d.request_id not in ids or d.requires in ids for d in problem.dependencies)


def brute_force_frontier(problem: SelectionProblem) -> list[tuple[float, float]]:
    """(cost, score) of every subset that keeps every limit but the budget: 2**n subsets."""
    found = []
    for size in range(len(problem.candidates) + 1):
        for subset in itertools.combinations(problem.candidates, size):
            ids = [c.id for c in subset]
            if feasible(problem, ids, budget=float("inf")):
                found.append((sum(c.cost for c in subset), sum(c.score for c in subset)))
    return found


def brute_force_best(problem: SelectionProblem, budget: float) -> float | None:
    """The best total score within `budget` over all subsets; None if no subset is feasible."""
    scores = [score for cost, score in brute_force_frontier(problem) if cost <= budget]
    return max(scores) if scores else None


def problem_of(*candidates: Candidate, budget_cap: float, **limits: Any) -> SelectionProblem:
    """A problem of these candidates; `limits` as SelectionProblem's other fields."""
    return replace(SelectionProblem(candidates=candidates, budget_cap=budget_cap), **limits)


# Greedy takes "a" (best score per cost, 6.0) and then neither "b" nor "c" fits; the optimum
# is b + c, which fills the budget exactly.
GREEDY_TRAP = problem_of(
    Candidate("a", score=60, cost=10),
    Candidate("b", score=50, cost=9),
    Candidate("c", score=45, cost=9),
    budget_cap=18,
)


def test_optimum_of_a_hand_worked_knapsack() -> None:
    selection = select_portfolio(
        problem_of(
            Candidate("r-1", score=60, cost=10),
            Candidate("r-2", score=50, cost=6),
            Candidate("r-3", score=40, cost=6),
            Candidate("r-4", score=5, cost=0),
            budget_cap=12,
        )
    )

    # r-2 + r-3 (90, cost 12) beats r-1 alone (60); r-4 is free.
    assert selection == Selection(
        selected=("r-2", "r-3", "r-4"), total_score=95, total_cost=12, optimal=True
    )


def test_greedy_is_not_optimal_where_the_solver_is() -> None:
    best = brute_force_best(GREEDY_TRAP, GREEDY_TRAP.budget_cap)

    greedy = greedy_selection(GREEDY_TRAP)
    optimum = select_portfolio(GREEDY_TRAP)

    assert best == 95
    assert greedy.selected == ("a",) and greedy.total_score == 60 and not greedy.optimal
    assert optimum.selected == ("b", "c") and optimum.total_score == best and optimum.optimal


def test_selection_is_ranked_by_score_then_id_whatever_the_input_order() -> None:
    candidates = [
        Candidate("r-c", score=70, cost=1),
        Candidate("r-b", score=80, cost=1),
        Candidate("r-a", score=70, cost=1),
        Candidate("r-d", score=10, cost=1),
    ]
    for order in itertools.permutations(candidates):
        for solve in (select_portfolio, greedy_selection):
            selection = solve(problem_of(*order, budget_cap=10))
            assert selection.selected == ("r-b", "r-a", "r-c", "r-d")


def test_equal_optima_give_the_same_selection_whatever_the_input_order() -> None:
    rng = random.Random(7)
    twins = [Candidate(f"r-{n}", score=50, cost=10, demands={"dev": 1}) for n in range(8)]
    results = set()
    for _ in range(6):
        rng.shuffle(twins)
        results.add(select_portfolio(problem_of(*twins, budget_cap=35)))

    assert len(results) == 1
    assert len(results.pop().selected) == 3


@BOTH_SOLVERS
def test_capacity_caps_each_category_and_ignores_uncapped_ones(solve: Solver) -> None:
    problem = problem_of(
        Candidate("r-1", score=90, cost=1, demands={"engineering": 6, "design": 50}),
        Candidate("r-2", score=80, cost=1, demands={"engineering": 6}),
        Candidate("r-3", score=10, cost=1, demands={"engineering": 4}),
        budget_cap=100,
        capacity={"engineering": 10},
    )

    selection = solve(problem)

    assert selection.selected == ("r-1", "r-3")


# r-x is worth taking only with r-y, which it requires and which scores next to nothing.
UNLOCKS = problem_of(
    Candidate("r-x", score=90, cost=5),
    Candidate("r-y", score=1, cost=8),
    Candidate("r-z", score=30, cost=5),
    budget_cap=10,
    dependencies=(Dependency("r-x", requires="r-y"),),
)


@BOTH_SOLVERS
def test_a_request_is_chosen_only_with_what_it_requires(solve: Solver) -> None:
    # Without the dependency r-x + r-z (120) would be best; r-x + r-y is over the budget.
    assert solve(UNLOCKS).selected == ("r-z",)


def test_the_optimum_takes_a_requirement_for_what_it_unlocks() -> None:
    problem = replace(UNLOCKS, budget_cap=13)  # room for r-x + r-y

    # Greedy takes r-z then r-y by score per cost and has no room left for r-x.
    assert select_portfolio(problem).selected == ("r-x", "r-y")
    assert greedy_selection(problem).selected == ("r-z", "r-y")


def test_greedy_comes_back_for_a_request_once_its_requirement_is_chosen() -> None:
    problem = problem_of(
        Candidate("r-1", score=90, cost=1),
        Candidate("r-2", score=10, cost=5),
        budget_cap=6,
        dependencies=(Dependency("r-1", requires="r-2"),),
    )

    # r-1 comes first by score per cost but must wait for r-2.
    assert greedy_selection(problem).selected == ("r-1", "r-2")


@BOTH_SOLVERS
def test_must_include_is_chosen_with_its_requirements_and_must_exclude_never(
    solve: Solver,
) -> None:
    problem = problem_of(
        Candidate("r-1", score=95, cost=4),
        Candidate("r-2", score=90, cost=4),
        Candidate("r-3", score=5, cost=4),
        Candidate("r-4", score=1, cost=4),
        budget_cap=12,
        must_include=frozenset({"r-3"}),
        must_exclude=frozenset({"r-1"}),
        dependencies=(Dependency("r-3", requires="r-4"),),
    )

    selection = solve(problem)

    assert selection.selected == ("r-2", "r-3", "r-4")
    assert selection.total_score == 96 and selection.total_cost == 12


@pytest.mark.parametrize(
    ("limits", "field", "reason"),
    [
        (
            {"budget_cap": 2_000_000, "must_include": frozenset({"r-1", "r-2"})},
            "must_include",
            "must_include costs 2,300,000, over the budget cap of 2,000,000",
        ),
        (
            {
                "budget_cap": 2_000_000,
                "must_include": frozenset({"r-2"}),
                "dependencies": (Dependency("r-2", "r-1"),),
            },
            "must_include",
            "must_include with the requests it requires (r-1) costs 2,300,000, "
            "over the budget cap of 2,000,000",
        ),
        (
            {"budget_cap": -1},
            "budget_cap",
            "the budget cap of -1 is below zero",
        ),
        (
            {
                "must_include": frozenset({"r-2", "r-3"}),
                "must_exclude": frozenset({"r-2", "r-3"}),
            },
            "must_include",
            "r-2, r-3 are both in must_include and must_exclude",
        ),
        (
            {"must_include": frozenset({"r-2"}), "must_exclude": frozenset({"r-2"})},
            "must_include",
            "r-2 is both in must_include and must_exclude",
        ),
        (
            {
                "must_include": frozenset({"r-3"}),
                "must_exclude": frozenset({"r-1"}),
                "dependencies": (Dependency("r-3", "r-1"),),
            },
            "dependencies",
            "r-3 requires r-1, which is in must_exclude",
        ),
        (
            {
                "must_include": frozenset({"r-3"}),
                "must_exclude": frozenset({"r-1"}),
                "dependencies": (Dependency("r-3", "r-2"), Dependency("r-2", "r-1")),
            },
            "dependencies",
            "r-3 requires r-2, which requires r-1, which is in must_exclude",
        ),
        (
            {"must_include": frozenset({"r-9"})},
            "must_include",
            "r-9 is not among the candidates",
        ),
        (
            {"dependencies": (Dependency("r-1", "r-9"),)},
            "dependencies",
            "r-1 requires r-9, but r-9 is not among the candidates",
        ),
        (
            {"dependencies": (Dependency("r-8", "r-1"),)},
            "dependencies",
            "r-8 requires r-1, but r-8 is not among the candidates",
        ),
        (
            {"must_include": frozenset({"r-1", "r-3"}), "capacity": {"engineering": 10}},
            "must_include",
            "must_include needs 12 of engineering, over its capacity of 10",
        ),
        (
            {"capacity": {"design": -0.5}},
            "capacity",
            "the capacity of design is -0.50, below zero",
        ),
    ],
)
@BOTH_SOLVERS
def test_each_conflict_is_told_before_solving(
    solve: Solver, limits: dict[str, Any], field: str, reason: str
) -> None:
    candidates = (
        Candidate("r-1", score=50, cost=1_500_000, demands={"engineering": 7}),
        Candidate("r-2", score=40, cost=800_000),
        Candidate("r-3", score=30, cost=100_000, demands={"engineering": 5}),
    )
    problem = problem_of(*candidates, **{"budget_cap": 10_000_000, **limits})

    with pytest.raises(InfeasibleSelection) as raised:
        solve(problem)

    assert (raised.value.field, raised.value.reason) == (field, reason)


def test_a_candidate_given_twice_is_refused() -> None:
    problem = problem_of(Candidate("r-1", 1, 1), Candidate("r-1", 2, 2), budget_cap=5)

    with pytest.raises(InfeasibleSelection) as raised:
        select_portfolio(problem)

    assert raised.value.field == "candidates"
    assert raised.value.reason == "r-1 is a candidate twice"


def hard_problem() -> SelectionProblem:
    """400 candidates under a budget and a capacity: more than HiGHS proves in no time."""
    rng = random.Random(3)
    candidates = [
        Candidate(f"r-{n}", rng.uniform(0, 100), rng.randint(1, 100), {"dev": rng.randint(1, 9)})
        for n in range(400)
    ]
    return problem_of(*candidates, budget_cap=5_000, capacity={"dev": 500})


def test_a_solve_out_of_time_returns_its_best_unproven(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = hard_problem()
    monkeypatch.setattr(portfolio_selection, "REPORT_DEADLINE_SECONDS", 0.0)

    selection = select_portfolio(problem)

    assert not selection.optimal
    assert feasible(problem, selection.selected, problem.budget_cap)


def test_a_report_past_its_deadline_leaves_out_the_frontier_levels_not_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = hard_problem()
    monkeypatch.setattr(portfolio_selection, "REPORT_DEADLINE_SECONDS", 1e-6)

    report = selection_report(problem, frontier_levels=10)

    assert report.frontier == ()
    assert not report.best.optimal
    assert feasible(problem, report.best.selected, problem.budget_cap)


def test_frontier_runs_from_a_tenth_to_one_and_a_half_times_the_cap() -> None:
    rng = random.Random(11)
    candidates = [
        Candidate(f"r-{n:02d}", rng.uniform(0, 100), rng.randint(1, 50)) for n in range(40)
    ]
    problem = problem_of(*candidates, budget_cap=400)

    frontier = efficient_frontier(problem, levels=8)

    assert [point.budget for point in frontier] == pytest.approx(
        [400 * (0.1 + 0.2 * level) for level in range(8)]
    )
    scores = [point.score for point in frontier]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    at_cap = next(
        p.score for p in efficient_frontier(problem, levels=15) if p.budget == pytest.approx(400)
    )
    assert at_cap == pytest.approx(select_portfolio(problem).total_score)


def test_frontier_leaves_out_budgets_below_what_must_include_costs() -> None:
    problem = problem_of(
        Candidate("r-1", score=10, cost=50),
        Candidate("r-2", score=90, cost=30),
        budget_cap=100,
        must_include=frozenset({"r-1"}),
    )

    frontier = efficient_frontier(problem, levels=15)

    assert frontier[0].budget == pytest.approx(50) and frontier[0].score == 10
    assert [p.budget for p in frontier] == pytest.approx([10 + 10 * n for n in range(4, 15)])
    assert [p.score for p in frontier] == [10] * 3 + [100] * 8


def test_frontier_still_refuses_a_conflict_that_no_budget_resolves() -> None:
    problem = problem_of(
        Candidate("r-1", score=10, cost=50),
        budget_cap=100,
        must_include=frozenset({"r-1"}),
        must_exclude=frozenset({"r-1"}),
    )

    with pytest.raises(InfeasibleSelection):
        efficient_frontier(problem)
    with pytest.raises(ValueError, match="levels"):
        efficient_frontier(problem_of(budget_cap=1), levels=1)


@st.composite
def small_problems(draw: st.DrawFn) -> SelectionProblem:
    """Up to 12 candidates with a budget cap, two capacities and random dependencies."""
    size = draw(st.integers(min_value=1, max_value=12))
    ids = [f"r-{n}" for n in range(size)]
    candidates = tuple(
        Candidate(
            ident,
            score=draw(st.integers(0, 1000)) / 10,
            cost=draw(st.integers(0, 40)),
            demands={"dev": draw(st.integers(0, 5)), "ops": draw(st.integers(0, 5))},
        )
        for ident in ids
    )
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    links = draw(st.lists(pairs, max_size=size))
    some_ids = st.frozensets(st.sampled_from(ids), max_size=1)
    return SelectionProblem(
        candidates=candidates,
        budget_cap=draw(st.integers(0, 20 * size)),
        capacity={"dev": draw(st.integers(0, 3 * size)), "ops": draw(st.integers(0, 3 * size))},
        must_include=draw(some_ids),
        must_exclude=draw(some_ids),
        dependencies=tuple(Dependency(a, b) for a, b in links),
    )


@settings(max_examples=150, deadline=None)
@given(small_problems())
def test_optimum_matches_brute_force(problem: SelectionProblem) -> None:
    best = brute_force_best(problem, problem.budget_cap)

    if best is None:
        with pytest.raises(InfeasibleSelection):
            select_portfolio(problem)
        return
    optimum = select_portfolio(problem)
    greedy = greedy_selection(problem)

    assert optimum.optimal
    assert optimum.total_score == pytest.approx(best)
    assert feasible(problem, optimum.selected, problem.budget_cap)
    assert feasible(problem, greedy.selected, problem.budget_cap)
    assert greedy.total_score <= optimum.total_score + 1e-9


@settings(max_examples=60, deadline=None)
@given(small_problems())
def test_frontier_matches_brute_force_and_never_falls(problem: SelectionProblem) -> None:
    subsets = brute_force_frontier(problem)
    if not subsets:
        return  # no budget makes it feasible: the test above covers the refusal
    problem = replace(problem, budget_cap=max(problem.budget_cap, 1))

    frontier = efficient_frontier(problem)

    expected = _best_per_budget(subsets, problem.budget_cap)
    assert [p.budget for p in frontier] == pytest.approx([budget for budget, _ in expected])
    assert [p.score for p in frontier] == pytest.approx([score for _, score in expected])
    scores = [p.score for p in frontier]
    assert scores == sorted(scores)


def _best_per_budget(subsets: list[tuple[float, float]], cap: float) -> list[tuple[float, float]]:
    budgets = [round(cap * (0.1 + 1.4 * level / 9), 2) for level in range(10)]
    found: Mapping[float, list[float]] = {
        b: [score for cost, score in subsets if cost <= b] for b in budgets
    }
    return [(b, max(scores)) for b, scores in found.items() if scores]


def test_no_candidates_is_the_optimal_empty_selection() -> None:
    chosen = select_portfolio(problem_of(budget_cap=1000))
    assert chosen.selected == ()
    assert chosen.optimal is True
