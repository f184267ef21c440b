"""Which requests to fund: the best total score within budget, capacity and dependencies.

A 0/1 integer programme solved exactly by HiGHS, a greedy heuristic beside it, and the
efficient frontier (best score per budget level). Conflicts that can be told in plain words
(a request both required and excluded, required requests over the budget...) are found before
solving, so the caller can name the field and the request ids in its answer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import highspy

# A selection is a business decision, not a real-time answer, but a scenario is asked for over
# HTTP: its whole report (best solve and frontier) must end within this. A solve out of time
# returns its best with optimal=False; frontier levels not reached in time are left out.
REPORT_DEADLINE_SECONDS = 20.0
BEST_SOLVE_SHARE = 0.6
"""The part of the deadline the best solve may take; the frontier levels share the rest."""
_CHOSEN = 0.5  # a binary column above this counts as selected (solver values are 0 or 1 +- tol)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A request that could be funded: its score (0-100), cost and demand per capacity category."""

    id: str
    score: float
    cost: float
    demands: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dependency:
    """`request_id` may be selected only if `requires` is."""

    request_id: str
    requires: str


@dataclass(frozen=True, slots=True)
class SelectionProblem:
    """The candidates and every limit a selection must respect."""

    candidates: tuple[Candidate, ...]
    budget_cap: float
    capacity: Mapping[str, float] = field(default_factory=dict)
    must_include: frozenset[str] = frozenset()
    must_exclude: frozenset[str] = frozenset()
    dependencies: tuple[Dependency, ...] = ()


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen request ids, ranked by score descending then id, and their totals."""

    selected: tuple[str, ...]
    total_score: float
    total_cost: float
    optimal: bool


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """The best total score reachable with `budget`."""

    budget: float
    score: float


class InfeasibleSelection(Exception):
    """No selection satisfies the limits; `field` is the body field to name, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Checked:
    """A problem whose structure holds: candidates by id, and what every selection must contain."""

    problem: SelectionProblem
    by_id: Mapping[str, Candidate]
    requires: Mapping[str, tuple[str, ...]]
    forced: frozenset[str]  # must_include and everything it requires, transitively


def select_portfolio(problem: SelectionProblem, time_limit: float | None = None) -> Selection:
    """The selection of greatest total score, solved as a 0/1 integer programme within
    `time_limit` seconds (by default the best solve's share of the report's deadline)."""
    if time_limit is None:
        time_limit = REPORT_DEADLINE_SECONDS * BEST_SOLVE_SHARE
    checked = _check_structure(problem)
    _check_budget(checked, problem.budget_cap)
    if not checked.by_id:
        # Nothing to choose from: the empty selection is the optimum (HiGHS would call an empty
        # model unsolved, not optimal).
        return _selection((), checked.by_id, optimal=True)
    chosen, optimal = _PortfolioModel(checked).solve(problem.budget_cap, time_limit)
    if optimal and chosen is not None:
        return _selection(chosen, checked.by_id, optimal=True)
    # Out of time: the solver's best so far, unless the greedy selection beats it.
    greedy = greedy_selection(problem)
    if chosen is None or _score(chosen, checked.by_id) < greedy.total_score:
        return greedy
    return _selection(chosen, checked.by_id, optimal=False)


def greedy_selection(problem: SelectionProblem) -> Selection:
    """A quick selection by score per cost (free requests first); never proven optimal."""
    checked = _check_structure(problem)
    _check_budget(checked, problem.budget_cap)
    chosen = set(checked.forced)
    spent = _cost(chosen, checked.by_id)
    used = {name: _demand(chosen, checked.by_id, name) for name in problem.capacity}
    order = sorted(
        (c for c in checked.by_id.values() if c.id not in chosen | problem.must_exclude),
        key=_value_for_money,
    )
    # A request skipped because its requirement was not chosen yet may fit once it is.
    added = True
    while added:
        added = False
        for candidate in order:
            if candidate.id in chosen or not _fits(candidate, spent, used, problem):
                continue
            if any(required not in chosen for required in checked.requires[candidate.id]):
                continue
            chosen.add(candidate.id)
            spent += candidate.cost
            for name in used:
                used[name] += candidate.demands.get(name, 0.0)
            added = True
    return _selection(chosen, checked.by_id, optimal=False)


def efficient_frontier(
    problem: SelectionProblem, levels: int = 10, deadline: float | None = None
) -> tuple[FrontierPoint, ...]:
    """The best score at `levels` budgets evenly from 10 % to 150 % of the budget cap.

    With a `deadline` (a time.monotonic() instant) the levels share the time left before it,
    each up to an even part of it; levels not reached by then are left out."""
    if levels < 2:
        raise ValueError("levels must be at least 2")
    checked = _check_structure(problem)
    model = _PortfolioModel(checked)
    points: list[FrontierPoint] = []
    best: frozenset[str] | None = None
    if deadline is None:
        deadline = time.monotonic() + REPORT_DEADLINE_SECONDS
    for level in range(levels):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        # In cents: an amount of money, without float noise a hair below a candidate's cost
        # (30 x 1.0333... is 30.999999999999996, which the solver's tolerance lets a 31 into).
        budget = round(problem.budget_cap * (0.1 + 1.4 * level / (levels - 1)), 2)
        try:
            _check_budget(checked, budget)
        except InfeasibleSelection:
            continue  # below what must_include costs: no point at this budget
        chosen, _ = model.solve(budget, remaining / (levels - level))
        if chosen is None:
            continue
        # The best selection of a smaller budget fits this one too: where the solver's pick
        # scores lower (a float rounding among equal optima, or a level out of time) keep it.
        if best is not None and _score(best, checked.by_id) > _score(chosen, checked.by_id):
            chosen = best
        best = chosen
        points.append(FrontierPoint(budget, _score(chosen, checked.by_id)))
    return tuple(points)


@dataclass(frozen=True, slots=True)
class SelectionReport:
    """What a scenario shows: the optimal selection, the greedy one and the efficient frontier."""

    best: Selection
    greedy: Selection
    frontier: tuple[FrontierPoint, ...]


def selection_report(problem: SelectionProblem, frontier_levels: int = 10) -> SelectionReport:
    """The optimal selection, with the greedy selection and the frontier to judge it by, all
    within REPORT_DEADLINE_SECONDS (`best.optimal` tells whether the optimum was proven)."""
    deadline = time.monotonic() + REPORT_DEADLINE_SECONDS
    return SelectionReport(
        best=select_portfolio(problem, REPORT_DEADLINE_SECONDS * BEST_SOLVE_SHARE),
        greedy=greedy_selection(problem),
        frontier=efficient_frontier(problem, levels=frontier_levels, deadline=deadline),
    )


def _check_structure(problem: SelectionProblem) -> _Checked:
    """Every conflict that does not depend on the budget, told before solving."""
    by_id: dict[str, Candidate] = {}
    for candidate in problem.candidates:
        if candidate.id in by_id:
            raise InfeasibleSelection("candidates", f"{candidate.id} is a candidate twice")
        by_id[candidate.id] = candidate
    if unknown := problem.must_include - by_id.keys():
        raise InfeasibleSelection("must_include", f"{_listed(unknown)} not among the candidates")
    requires: dict[str, list[str]] = {ident: [] for ident in by_id}
    for dependency in problem.dependencies:
        for ident in (dependency.request_id, dependency.requires):
            if ident not in by_id:
                raise InfeasibleSelection(
                    "dependencies",
                    f"{dependency.request_id} requires {dependency.requires}, "
                    f"but {ident} is not among the candidates",
                )
        requires[dependency.request_id].append(dependency.requires)
    if both := problem.must_include & problem.must_exclude:
        raise InfeasibleSelection(
            "must_include", f"{_listed(both)} both in must_include and must_exclude"
        )
    ordered = {ident: tuple(sorted(set(needs))) for ident, needs in requires.items()}
    checked = _Checked(problem, by_id, ordered, _forced(problem, ordered))
    _check_capacity(checked)
    return checked


def _forced(problem: SelectionProblem, requires: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """must_include closed under requirements; a chain ending in must_exclude is a conflict."""
    reached_from: dict[str, str | None] = dict.fromkeys(sorted(problem.must_include))
    pending = list(reached_from)
    while pending:
        ident = pending.pop(0)
        for required in requires[ident]:
            if required in problem.must_exclude:
                chain = [required, ident]
                while (parent := reached_from[chain[-1]]) is not None:
                    chain.append(parent)
                first, *rest = reversed(chain)
                told = f"{first} requires {', which requires '.join(rest)}"
                raise InfeasibleSelection("dependencies", f"{told}, which is in must_exclude")
            if required not in reached_from:
                reached_from[required] = ident
                pending.append(required)
    return frozenset(reached_from)


def _check_capacity(checked: _Checked) -> None:
    for name, cap in sorted(checked.problem.capacity.items()):
        needed = _demand(checked.forced, checked.by_id, name)
        if needed > cap:
            what = _forced_label(checked)
            reason = (
                f"{what} needs {_amount(needed)} of {name}, over its capacity of {_amount(cap)}"
                if checked.forced
                else f"the capacity of {name} is {_amount(cap)}, below zero"
            )
            # What must be included is the conflict to name; a negative cap is the cap's fault.
            raise InfeasibleSelection("must_include" if checked.forced else "capacity", reason)


def _check_budget(checked: _Checked, budget: float) -> None:
    cost = _cost(checked.forced, checked.by_id)
    if cost > budget:
        reason = (
            f"{_forced_label(checked)} costs {_amount(cost)}, over the budget cap of "
            f"{_amount(budget)}"
            if checked.forced
            else f"the budget cap of {_amount(budget)} is below zero"
        )
        raise InfeasibleSelection("must_include" if checked.forced else "budget_cap", reason)


def _forced_label(checked: _Checked) -> str:
    extra = sorted(checked.forced - checked.problem.must_include)
    if not extra:
        return "must_include"
    return f"must_include with the requests it requires ({', '.join(extra)})"


class _PortfolioModel:
    """The integer programme of a checked problem, built once and solved at any budget."""

    def __init__(self, checked: _Checked) -> None:
        # Columns in a fixed order (score descending, then id): the same problem given in any
        # order is the same model, so HiGHS, deterministic for a given model, picks the same
        # selection among equal optima.
        self._columns = sorted(checked.by_id.values(), key=lambda c: (-c.score, c.id))
        self._checked = checked
        self._model = self._lp()

    def solve(self, budget: float, time_limit: float) -> tuple[frozenset[str] | None, bool]:
        """The ids chosen at this budget (None when the solver found none) and if proven optimal."""
        # A fresh solver per budget: HiGHS 1.16 given the previous level's selection as a start
        # reported the better optimum but returned the start's columns, so no warm start.
        # The bare class highspy.Highs extends: the subclass only adds Python callbacks (unused
        # here), and setting them up prints HiGHS's banner before output_flag can be set.
        highs = highspy._core._Highs()
        for option, value in (
            ("output_flag", False),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 0.0),
            ("time_limit", time_limit),
        ):
            highs.setOptionValue(option, value)
        highs.passModel(self._model)
        highs.changeRowBounds(0, -math.inf, budget)
        highs.run()
        status = highs.getModelStatus()
        # Not expected while the pre-checks hold (must_include with its requirements is then a
        # feasible selection), but a solver's verdict of infeasible is never passed over.
        if status == highspy.HighsModelStatus.kInfeasible:
            raise InfeasibleSelection(
                "must_include",
                "no selection satisfies must_include, the dependencies, the budget cap and the "
                "capacities together",
            )
        solution = highs.getSolution()
        values = list(solution.col_value)
        if not solution.value_valid or len(values) != len(self._columns):
            return None, False
        chosen = frozenset(c.id for c, v in zip(self._columns, values, strict=True) if v > _CHOSEN)
        return chosen, status == highspy.HighsModelStatus.kOptimal

    def _lp(self) -> highspy.HighsLp:
        problem, columns = self._checked.problem, self._columns
        index = {candidate.id: number for number, candidate in enumerate(columns)}
        # Row 0 is the budget (its bound set per solve); then one row per capped category; then
        # x[request] - x[required] <= 0 per dependency.
        rows: list[tuple[float, list[tuple[int, float]]]] = [
            (math.inf, [(index[c.id], c.cost) for c in columns if c.cost])
        ]
        for name, cap in sorted(problem.capacity.items()):
            demands = [(index[c.id], c.demands.get(name, 0.0)) for c in columns]
            rows.append((cap, [(col, demand) for col, demand in demands if demand]))
        for ident, needs in sorted(self._checked.requires.items()):
            rows.extend(
                (0.0, [(index[ident], 1.0), (index[req], -1.0)]) for req in needs if req != ident
            )
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(columns), len(rows)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = [c.score for c in columns]
        lp.col_lower_ = [1.0 if c.id in self._checked.forced else 0.0 for c in columns]
        lp.col_upper_ = [0.0 if c.id in problem.must_exclude else 1.0 for c in columns]
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
        lp.row_lower_ = [-math.inf] * len(rows)
        lp.row_upper_ = [upper for upper, _ in rows]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(columns), len(rows)
        starts, entries = [0], [entry for _, row in rows for entry in row]
        for _, row in rows:
            starts.append(starts[-1] + len(row))
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = [col for col, _ in entries]
        lp.a_matrix_.value_ = [value for _, value in entries]
        return lp


def _selection(
    chosen: Iterable[str], by_id: Mapping[str, Candidate], *, optimal: bool
) -> Selection:
    ranked = tuple(sorted(chosen, key=lambda ident: (-by_id[ident].score, ident)))
    return Selection(
        selected=ranked,
        total_score=_score(ranked, by_id),
        total_cost=_cost(ranked, by_id),
        optimal=optimal,
    )


def _value_for_money(candidate: Candidate) -> tuple[bool, float, float, str]:
    """Free requests first (best score first), then score per cost; ties: higher score, then id."""
    per_cost = candidate.score / candidate.cost if candidate.cost > 0 else candidate.score
    return (candidate.cost > 0, -per_cost, -candidate.score, candidate.id)


def _fits(
    candidate: Candidate, spent: float, used: Mapping[str, float], problem: SelectionProblem
) -> bool:
    if spent + candidate.cost > problem.budget_cap:
        return False
    return all(
        used[name] + candidate.demands.get(name, 0.0) <= cap
        for name, cap in problem.capacity.items()
    )


def _score(ids: Iterable[str], by_id: Mapping[str, Candidate]) -> float:
    return math.fsum(by_id[ident].score for ident in ids)


def _cost(ids: Iterable[str], by_id: Mapping[str, Candidate]) -> float:
    return math.fsum(by_id[ident].cost for ident in ids)


def _demand(ids: Iterable[str], by_id: Mapping[str, Candidate], category: str) -> float:
    return math.fsum(by_id[ident].demands.get(category, 0.0) for ident in ids)


def _listed(ids: Iterable[str]) -> str:
    """'r-2 is' or 'r-2, r-5 are': the ids in order, with the verb that fits."""
    ordered = sorted(ids)
    return f"{', '.join(ordered)} {'is' if len(ordered) == 1 else 'are'}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
