"""Choose which of many requests to fund: the exact optimum beside the greedy heuristic.

Builds a seeded synthetic intake (scores 0-100, budgets from 50,000 to 2,000,000, demands in
three capacity categories, dependencies without cycles) whose budget cap and capacities bind,
then times, on the same problem:

1. `greedy_selection`, by score per cost: the baseline every time is divided by;
2. `select_portfolio`, the 0/1 integer programme solved by HiGHS to its proven optimum;
3. `efficient_frontier`, the optimum at 10 budget levels from 10 % to 150 % of the cap.

It prints the optimum's score over the greedy score (what the exact solve buys) and each time's
ratio to the greedy time. Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from pmo_intake.domain.portfolio_selection import (
    Candidate,
    Dependency,
    Selection,
    SelectionProblem,
    efficient_frontier,
    greedy_selection,
    select_portfolio,
)

DEFAULT_CANDIDATES = 2_000
DEFAULT_DEPENDENCIES = 200
QUICK_CANDIDATES = 300
QUICK_DEPENDENCIES = 30
DEFAULT_SEED = 20_240_101
DEFAULT_REPEAT = 3
FRONTIER_LEVELS = 10
CATEGORIES = ("engineering", "design", "operations")
# The caps are these shares of what all candidates together cost or demand, so each binds.
BUDGET_SHARE = 0.25
CAPACITY_SHARE = 0.2

Result = TypeVar("Result")


def build_problem(candidates: int, dependencies: int, seed: int) -> SelectionProblem:
    """A seeded problem whose budget cap and three capacities all bind."""
    rng = random.Random(seed)
    pool = tuple(
        Candidate(
            id=f"r-{number:05d}",
            score=round(rng.uniform(0, 100), 1),
            cost=round(rng.uniform(50, 2_000)) * 1_000.0,
            demands={name: float(rng.randint(1, 8)) for name in CATEGORIES if rng.random() < 0.6},
        )
        for number in range(candidates)
    )
    # Each request may require only one that comes earlier in a shuffled order: no cycles.
    order = [candidate.id for candidate in pool]
    rng.shuffle(order)
    links: set[tuple[str, str]] = set()
    while len(links) < min(dependencies, candidates * (candidates - 1) // 2):
        first, second = sorted(rng.sample(range(candidates), 2))
        links.add((order[second], order[first]))
    return SelectionProblem(
        candidates=pool,
        budget_cap=round(BUDGET_SHARE * sum(c.cost for c in pool), -3),
        capacity={
            name: round(CAPACITY_SHARE * sum(c.demands.get(name, 0.0) for c in pool))
            for name in CATEGORIES
        },
        dependencies=tuple(Dependency(request, requires) for request, requires in sorted(links)),
    )


def _timed(run: Callable[[], Result], repeat: int) -> tuple[float, Result]:
    """The best wall time of `repeat` runs, and the last run's result."""
    best = float("inf")
    result: Result | None = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    assert result is not None
    return best, result


def _usage(selection: Selection, problem: SelectionProblem) -> str:
    """How much of the budget and of each capacity a selection uses: shows the caps bind."""
    chosen = set(selection.selected)
    parts = [f"budget {selection.total_cost / problem.budget_cap:.1%}"]
    for name, cap in sorted(problem.capacity.items()):
        used = sum(c.demands.get(name, 0.0) for c in problem.candidates if c.id in chosen)
        parts.append(f"{name} {used / cap:.1%}")
    return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    """Build the problem, time greedy, the optimum and the frontier, print the figures."""
    parser = argparse.ArgumentParser(prog="bench.portfolio_selection", description=__doc__)
    parser.add_argument("--candidates", type=int, default=None)
    parser.add_argument("--dependencies", type=int, default=None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="runs of the greedy baseline"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_CANDIDATES} candidates and {QUICK_DEPENDENCIES} dependencies",
    )
    args = parser.parse_args(argv)
    size = args.candidates or (QUICK_CANDIDATES if args.quick else DEFAULT_CANDIDATES)
    links = args.dependencies or (QUICK_DEPENDENCIES if args.quick else DEFAULT_DEPENDENCIES)
    problem = build_problem(max(size, 2), max(links, 0), args.seed)

    greedy_seconds, greedy = _timed(lambda: greedy_selection(problem), max(args.repeat, 1))
    optimum_seconds, optimum = _timed(lambda: select_portfolio(problem), 1)
    frontier_seconds, frontier = _timed(lambda: efficient_frontier(problem, FRONTIER_LEVELS), 1)

    print("portfolio_selection")
    print(
        f"  candidates {len(problem.candidates):,}, dependencies {len(problem.dependencies):,}, "
        f"categories {len(problem.capacity)}, seed {args.seed}; greedy: best of {args.repeat}"
    )
    print(f"  {'pass':<36}{'seconds':>10}{'ratio':>10}{'score':>11}{'chosen':>8}  proven")
    rows = (
        ("greedy by score per cost (baseline)", greedy_seconds, greedy),
        ("select_portfolio, HiGHS optimum", optimum_seconds, optimum),
    )
    for label, seconds, selection in rows:
        print(
            f"  {label:<36}{seconds:>10.4f}{seconds / greedy_seconds:>10.1f}"
            f"{selection.total_score:>11,.1f}{len(selection.selected):>8}  {selection.optimal}"
        )
    print(
        f"  {f'efficient_frontier, {FRONTIER_LEVELS} levels':<36}{frontier_seconds:>10.4f}"
        f"{frontier_seconds / greedy_seconds:>10.1f}{'':>11}{len(frontier):>8}  (points)"
    )
    print(f"  optimum / greedy score: {optimum.total_score / greedy.total_score:.4f}")
    print(f"  caps used by the optimum: {_usage(optimum, problem)}")
    print(f"  caps used by greedy:      {_usage(greedy, problem)}")
    print(
        "  frontier (share of cap: score): "
        + ", ".join(f"{p.budget / problem.budget_cap:.0%}: {p.score:,.0f}" for p in frontier)
    )


if __name__ == "__main__":
    main()
